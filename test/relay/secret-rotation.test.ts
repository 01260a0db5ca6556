/**
 * Rotating the token secret logs nobody out: the relay restarted with a new PARLEY_SECRET and the
 * old one in PARLEY_SECRET_PREVIOUS still accepts the tokens browsers hold (a customer's lives 30
 * days), and a refresh hands out one signed with the new secret. Once the old secret is dropped,
 * only refreshed tokens work. Real relay processes on one data folder, restarted in turn.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { conversationDoc } from '@parley/core';
import { Frame } from '@parley/core/protocol';
import { createTokens } from '../../packages/sync-server/src/auth/tokens.js';
import { startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';
import { connectMux, isFrame, openSocket } from './mux-client.js';

const doc = conversationDoc('demo', 'c1', 'k1');
const running: RelayProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(env: Record<string, string>, dataDir?: string): Promise<RelayProcess> {
  const relay = await startRelayProcess({ env, ...(dataDir ? { dataDir } : {}) });
  running.push(relay);
  return relay;
}

async function stop(relay: RelayProcess): Promise<void> {
  running.splice(running.indexOf(relay), 1);
  await relay.stop();
}

/** Opens the conversation over /mux and waits for `synced`: what the widget does on every reconnect. */
async function syncs(relay: RelayProcess, token: string): Promise<void> {
  const socket = await connectMux(relay.wsUrl, token);
  socket.send({ type: Frame.open, doc, stateVector: Y.encodeStateVector(new Y.Doc()) });
  await socket.waitFor(isFrame(Frame.synced, doc));
  socket.close();
}

/** The HTTP status that refused the upgrade, or 101 when a socket opened. */
async function upgradeStatus(relay: RelayProcess, token: string): Promise<number> {
  const { status, socket } = await openSocket(`${relay.wsUrl}/mux?token=${encodeURIComponent(token)}`);
  socket?.close();
  return status ?? 101;
}

describe('rotating the token secret', () => {
  it('keeps old tokens working while the old secret is listed as previous, and refreshes them onto the new one', async () => {
    const oldSecret = randomBytes(32).toString('base64url');
    const newSecret = randomBytes(32).toString('base64url');
    const before = await start({ PARLEY_SECRET: oldSecret });
    const held = await before.token('customer', 'demo', 'c1');
    await syncs(before, held);
    await stop(before);

    const during = await start({ PARLEY_SECRET: newSecret, PARLEY_SECRET_PREVIOUS: oldSecret }, before.dataDir);
    await syncs(during, held);
    const res = await fetch(`${during.url}/v1/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${held}` } });
    expect(res.status).toBe(200);
    const refreshed = ((await res.json()) as { token: string }).token;
    expect(await createTokens(newSecret).verify(refreshed)).toMatchObject({ ws: 'demo', role: 'customer', sub: 'c1' });
    await stop(during);

    const after = await start({ PARLEY_SECRET: newSecret }, before.dataDir);
    expect(await upgradeStatus(after, held)).toBe(401);
    await syncs(after, refreshed);
  }, 90_000);

  it('refuses to start with a previous secret too short to be one', async () => {
    await expect(start({ PARLEY_SECRET: randomBytes(32).toString('base64url'), PARLEY_SECRET_PREVIOUS: 'hunter2' })).rejects.toThrow(/PARLEY_SECRET_PREVIOUS: secret 1 of 1 has fewer than 32 characters/);
  }, 60_000);
});
