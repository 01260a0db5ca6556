import { describe, expect, it } from 'vitest';
import { createUuidV7Generator, DEVICE_ID_KEY, deviceId, isUuidV7, uuidv7, uuidV7Time, type KeyValueStore } from './ids.js';

describe('uuidv7', () => {
  it('is a version 7, variant 10 UUID carrying its creation time', () => {
    const before = Date.now();
    const id = uuidv7();
    expect(isUuidV7(id)).toBe(true);
    expect(uuidV7Time(id)).toBeGreaterThanOrEqual(before);
    expect(uuidV7Time(id)).toBeLessThanOrEqual(Date.now());
  });

  it('sorts in creation order within one millisecond, past the 12-bit counter, and when the clock steps back', () => {
    let t = 1_700_000_000_000;
    const gen = createUuidV7Generator(() => t);
    const ids: string[] = [];
    for (let i = 0; i < 5000; i++) ids.push(gen()); // > 4096 in one ms: borrows the next ms
    t -= 10_000; // clock jumps back
    for (let i = 0; i < 10; i++) ids.push(gen());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every(isUuidV7)).toBe(true);
  });

  it('encodes the given time', () => {
    const gen = createUuidV7Generator(() => 0x0123_4567_89ab);
    expect(gen().slice(0, 13)).toBe('01234567-89ab');
    expect(uuidV7Time(gen())).toBe(0x0123_4567_89ab);
  });
});

describe('deviceId', () => {
  const memoryStore = (): KeyValueStore & { data: Map<string, string> } => {
    const data = new Map<string, string>();
    return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
  };

  it('is kept in the store and returned on later calls', () => {
    const store = memoryStore();
    const first = deviceId(store);
    expect(store.data.get(DEVICE_ID_KEY)).toBe(first);
    expect(deviceId(store)).toBe(first);
  });

  it('is fresh each time without a store or when storage throws', () => {
    expect(deviceId()).not.toBe(deviceId());
    const broken: KeyValueStore = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(isUuidV7(deviceId(broken))).toBe(true);
  });
});
