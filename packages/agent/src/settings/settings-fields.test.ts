import { describe, expect, it } from 'vitest';
import { MAX_ATTACHMENT_SIZE, attachmentLimitProblem } from '@parley/core';
import { BYTES_PER_MB, bytesToMb, mbToBytes, moveItem } from './settings-fields.js';

describe('attachment limit in MB', () => {
  it.each<[number, string]>([
    [10 * BYTES_PER_MB, '10'],
    [2.5 * BYTES_PER_MB, '2.5'],
    [1_000_000, '0.95'],
    [MAX_ATTACHMENT_SIZE, '25'],
  ])('%i bytes show as %s MB', (bytes, mb) => expect(bytesToMb(bytes)).toBe(mb));

  it('turns what was typed into bytes core accepts within the range', () => {
    expect(mbToBytes('2.5')).toBe(2.5 * BYTES_PER_MB);
    expect(mbToBytes(' 25 ')).toBe(MAX_ATTACHMENT_SIZE);
    expect(mbToBytes('1,5')).toBe(1.5 * BYTES_PER_MB);
    expect(attachmentLimitProblem(mbToBytes('0.1'))).toBeNull();
  });

  it.each(['', 'ten', '-1', '1e3', '0', '25.01'])('"%s" is refused by core with its range sentence', (text) => {
    expect(attachmentLimitProblem(mbToBytes(text))).toBe('The attachment limit is more than 0 and at most 25 MB.');
  });
});

describe('moveItem', () => {
  it('moves up and down without touching the input', () => {
    const list = ['a', 'b', 'c'];
    expect(moveItem(list, 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(list, 0, 1)).toEqual(['b', 'a', 'c']);
    expect(list).toEqual(['a', 'b', 'c']);
  });

  it('leaves the order alone past either end', () => {
    expect(moveItem(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
    expect(moveItem(['a', 'b'], 1, 1)).toEqual(['a', 'b']);
  });
});
