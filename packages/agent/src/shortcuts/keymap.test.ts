import { describe, expect, it } from 'vitest';
import { createKeymap, type KeyLike } from './keymap.js';

const key = (k: string, over: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, target: { tagName: 'BODY' }, ...over });

describe('keymap', () => {
  it.each([
    ['?', 'help'], ['e', 'resolve'], ['a', 'assignMe'], ['j', 'next'],
  ] as const)('%s runs %s', (k, command) => expect(createKeymap()(key(k))).toBe(command));

  it('follows two-key sequences and resets on a stray key', () => {
    const map = createKeymap();
    expect(map(key('g'))).toBeNull();
    expect(map(key('r'))).toBe('reports');
    expect(map(key('g'))).toBeNull();
    expect(map(key('z'))).toBeNull();
    expect(map(key('i'))).toBeNull();
  });

  it.each(['INPUT', 'TEXTAREA', 'SELECT'])('ignores keys typed into %s', (tagName) => {
    expect(createKeymap()(key('e', { target: { tagName } }))).toBeNull();
  });

  it('leaves browser shortcuts alone', () => {
    expect(createKeymap()(key('r', { ctrlKey: true }))).toBeNull();
  });
});
