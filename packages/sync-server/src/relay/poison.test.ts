import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { conversationDoc } from '@parley/core';
import { Code, Frame, encodeSyncMessage, encodeYwsSync, syncStep2, syncUpdate } from '@parley/core/protocol';
import { agent, closeRelays, connect, customer, muxClient, startRelay } from './test-kit.js';
import { inspectUpdate } from './inspect.js';

const dir = fileURLToPath(new URL('./poison/', import.meta.url));
const poison = readdirSync(dir)
  .filter((f) => f.endsWith('.bin'))
  .sort()
  .map((f) => [f, new Uint8Array(readFileSync(dir + f))] as const);
const conv = conversationDoc('acme', 'c1', 'k1');
afterEach(closeRelays);

describe('[P1] poison payloads', () => {
  it('the folder holds the known-bad cases', () => {
    expect(poison.map(([f]) => f)).toEqual(
      expect.arrayContaining(['random-bytes.bin', 'truncated-half.bin', 'billion-structs.bin', 'billion-deletes.bin', 'v2-update.bin', 'v2-rle-endless.bin']),
    );
  });

  it.each(poison)('[P1] %s is refused by the V1 inspector within bounded time', (_name, bytes) => {
    const t0 = performance.now();
    expect(() => inspectUpdate(bytes)).toThrow(/bad update/);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it.each(poison.flatMap(([name, bytes]) => [
    [name, 'mux update', bytes],
    [name, 'mux step 2', bytes],
    [name, '/sync update', bytes],
  ] as const))('[P1] %s as %s closes the sender with 4400 while an honest client keeps syncing', async (_name, how, bytes) => {
    const relay = startRelay();
    const honestA = muxClient(relay, customer());
    const honestB = muxClient(relay, agent());
    const da = honestA.open(conv);
    const db = honestB.open(conv);
    await honestA.until(() => da.synced, 'a synced');
    await honestB.until(() => db.synced, 'b synced');

    let attacker;
    if (how === '/sync update') {
      attacker = connect(relay, { endpoint: 'sync', doc: conv, principal: customer() });
      attacker.send(encodeYwsSync(syncUpdate, bytes));
    } else {
      const m = muxClient(relay, customer());
      m.sendRaw({ type: Frame.open, doc: conv, stateVector: new Uint8Array([0]) });
      m.sendRaw({ type: Frame.sync, doc: conv, message: encodeSyncMessage(how === 'mux step 2' ? syncStep2 : syncUpdate, bytes) });
      attacker = m.socket;
    }
    await attacker.until(() => attacker.closed !== null, 'attacker closed');
    expect(attacker.closed?.code).toBe(Code.badFrame);

    da.ydoc.getText('t').insert(0, 'still here');
    await honestB.until(() => db.ydoc.getText('t').toString() === 'still here', 'honest update forwarded');
    await honestA.until(() => honestA.allAcked(conv), 'honest update acked');
    expect(honestA.socket.closed).toBeNull();
    expect(honestB.socket.closed).toBeNull();
    expect(relay.metrics().rejections['bad_update']).toBe(1);
  });
});
