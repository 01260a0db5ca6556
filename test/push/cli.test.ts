import { afterAll, describe, expect, it } from 'vitest';
import { startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';

const relays: RelayProcess[] = [];
afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
});

describe('parley serve and Web Push', () => {
  it.each([
    ['on by default: the key is served and the VAPID pair is generated into the data folder', [], 200],
    ['--no-push: no push routes at all', ['--no-push', '--no-worker'], 404],
  ])('%s', async (_what, args, status) => {
    const relay = await startRelayProcess({ args });
    relays.push(relay);
    const res = await fetch(`${relay.url}/v1/push/key`);
    expect(res.status).toBe(status);
    if (status === 200) {
      expect(relay.logs.some((l) => l.msg === 'generated a VAPID key pair for Web Push')).toBe(true);
      await relay.waitForLog((l) => l.msg === 'push notifier started');
    }
  });
});
