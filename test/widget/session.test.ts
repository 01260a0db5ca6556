/**
 * The widget's session store against a real relay process: anonymous sessions, refresh near expiry
 * (same customer, so the same history), device pairing. Storage is a plain in-memory Storage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionStore, sessionFromToken } from '../../packages/widget/src/store/session.js';
import { WidgetError } from '../../packages/widget/src/store/errors.js';
import { startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess();
}, 120_000);
afterAll(async () => {
  await relay?.stop();
});

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
}

describe('session store', () => {
  it('creates an anonymous session once and keeps using it', async () => {
    const storage = memoryStorage();
    const sessions = createSessionStore({ relay: relay.url, workspace: 'demo', storage });
    const first = await sessions.current();
    expect(first).toMatchObject({ ws: 'demo' });
    expect(first.expiresAt).toBeGreaterThan(Date.now() + 7 * 86_400_000);
    expect(await sessions.current()).toEqual(first);
    // A second page (same storage) is the same customer.
    expect((await createSessionStore({ relay: relay.url, workspace: 'demo', storage }).current()).customerId).toBe(first.customerId);
  });

  it('refreshes a token close to expiry without changing the customer', async () => {
    const storage = memoryStorage();
    storage.setItem('parley:session:demo', await relay.token('customer', 'demo', 'c-returning', { ttlSeconds: 3600 }));
    const s = await createSessionStore({ relay: relay.url, workspace: 'demo', storage }).current();
    expect(s.customerId).toBe('c-returning');
    expect(s.expiresAt).toBeGreaterThan(Date.now() + 86_400_000);
    expect(sessionFromToken(storage.getItem('parley:session:demo')!).expiresAt).toBe(s.expiresAt);
  });

  it('starts a new anonymous session when the stored one has expired', async () => {
    const storage = memoryStorage();
    storage.setItem('parley:session:demo', await relay.token('customer', 'demo', 'c-gone', { ttlSeconds: 1 }));
    const s = await createSessionStore({ relay: relay.url, workspace: 'demo', storage }).current();
    expect(s.customerId).not.toBe('c-gone');
  });

  it('pairs a second device into the same customer, once per code', async () => {
    const phone = createSessionStore({ relay: relay.url, workspace: 'demo', storage: memoryStorage() });
    const me = await phone.current();
    const { code, expiresAt } = await phone.createPairing(me);
    expect(expiresAt).toBeGreaterThan(Date.now());
    const desktop = createSessionStore({ relay: relay.url, workspace: 'demo', storage: memoryStorage() });
    expect((await desktop.redeemPairing(code)).customerId).toBe(me.customerId);
    const err = await createSessionStore({ relay: relay.url, workspace: 'demo', storage: memoryStorage() })
      .redeemPairing(code)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WidgetError);
    expect(err).toMatchObject({ code: 'pairing_invalid' });
  });

  it('refuses a token for another workspace', () => {
    const sessions = createSessionStore({ relay: relay.url, workspace: 'demo', storage: memoryStorage() });
    return relay.token('customer', 'other', 'c1').then((t) => expect(() => sessions.identify(t)).toThrow(/workspace other/));
  });
});
