/**
 * Nothing acknowledged is ever lost ([P7]): neither across a graceful shutdown nor across kill -9
 * in the middle of a write burst. Real relay processes, real SQLite, counted acks vs. stored items.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { protocol } from '@parley/core';
import { cliPath, repoRoot, startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';
import { connectMux, isFrame, readServed, type MuxClient } from './mux-client.js';

const { Frame } = protocol;
const doc = 'ws/acme/customers/c1/conv/burst';
let relay: RelayProcess | undefined;
afterEach(async () => {
  await relay?.kill();
  relay = undefined;
});

/** A writer whose every update appends one number; acked items = the committed clock of its client id. */
async function writer(r: RelayProcess): Promise<{ client: MuxClient; ydoc: Y.Doc; acked(): number; write(n: number): void }> {
  const client = await connectMux(r.wsUrl, await r.token('customer', 'acme', 'c1'));
  const ydoc = new Y.Doc();
  client.send({ type: Frame.open, doc, stateVector: Y.encodeStateVector(ydoc) });
  await client.waitFor(isFrame(Frame.synced, doc));
  let next = 0;
  ydoc.on('update', (update: Uint8Array) => client.send({ type: Frame.sync, doc, message: protocol.encodeSyncMessage(protocol.syncUpdate, update) }));
  return {
    client,
    ydoc,
    acked: () => Math.max(0, ...client.frames.filter(isFrame(Frame.ack, doc)).map((f) => Y.decodeStateVector(f.stateVector).get(ydoc.clientID) ?? 0)),
    write(n) {
      for (let i = 0; i < n; i++) ydoc.getArray<number>('messages').push([next++]);
    },
  };
}

/** What a fresh reader gets from the relay for `doc`. */
async function readBack(r: RelayProcess): Promise<number[]> {
  const reader = await connectMux(r.wsUrl, await r.token('agent', 'acme', 'reader'));
  const replica = await readServed(reader, doc);
  reader.close();
  return replica.getArray<number>('messages').toArray();
}

/** Polls `check` until it holds; for counts that only grow and have no single event to await. */
async function eventually(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// Each test starts a relay twice and spawns the CLI; on a loaded two-core machine that takes a while.
describe('[P7] durability across restarts', () => {
  it('graceful shutdown (SIGTERM) exits 0, closes sockets with 1001 and keeps every acked update', async () => {
    relay = await startRelayProcess();
    const w = await writer(relay);
    w.write(200);
    await eventually(() => w.acked() === 200, 'the first 200 acks');
    // A second burst still in flight when the signal arrives.
    w.write(200);
    const exit = await relay.stop();
    const acked = w.acked();
    expect(exit).toBe(0);
    expect((await w.client.closed).code).toBe(protocol.Code.goingAway);
    await relay.restart();
    const stored = await readBack(relay);
    expect(stored.length).toBeGreaterThanOrEqual(acked);
    expect(stored.slice(0, acked)).toEqual([...Array(acked).keys()]);
    console.info(`graceful: sent 400, acked ${acked}, stored ${stored.length}`);
  }, 90_000);

  it('kill -9 during a write burst loses no acked update', async () => {
    relay = await startRelayProcess();
    const w = await writer(relay);
    w.write(1500);
    await eventually(() => w.acked() >= 300, 'some acks');
    await relay.kill();
    const acked = w.acked();
    await w.client.closed;
    await relay.restart();
    const stored = await readBack(relay);
    await relay.stop();
    // Also through `parley export`: the merged update on disk holds the same items.
    const out = join(relay.dataDir, 'export.bin');
    const code = await new Promise<number | null>((resolve) =>
      spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cliPath, 'export', doc, '--data', relay!.dataDir, '--out', out], { cwd: repoRoot, stdio: 'ignore' }).once('exit', resolve),
    );
    expect(code).toBe(0);
    const exported = new Y.Doc();
    Y.applyUpdate(exported, new Uint8Array(readFileSync(out)));
    expect(stored.length).toBeGreaterThanOrEqual(acked);
    expect(stored.slice(0, acked)).toEqual([...Array(acked).keys()]);
    expect(exported.getArray<number>('messages').toArray()).toEqual(stored);
    console.info(`kill -9: sent 1500, acked ${acked}, stored ${stored.length}`);
  }, 90_000);
});
