import { describe, expect, it } from 'vitest';
import { withTimeout } from './with-timeout.js';

describe('withTimeout', () => {
  it('passes on the value of a promise that settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000, 'seven')).resolves.toBe(7);
  });

  it('passes on the rejection of a promise that fails in time', async () => {
    await expect(withTimeout(Promise.reject(new Error('refused')), 1_000, 'refusal')).rejects.toThrow('refused');
  });

  it('rejects naming what it waited for once the time is up', async () => {
    await expect(withTimeout(new Promise<never>(() => undefined), 20, 'sync of ws/acme/settings')).rejects.toThrow('sync of ws/acme/settings took longer than 20 ms');
  });
});
