/**
 * The sync client in Node against a real `parley serve` process over real sockets (`ws`), with its
 * replica in the file store: the relay is killed, the client keeps writing into its outbox, the
 * client process "exits", and a new client on the same replica folder delivers the outbox once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { conversationDoc, createClient, type ParleyClient } from '@parley/core';
import { createFileStore } from '@parley/core/node';
import { startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';

const CONV = conversationDoc('acme', 'c1', 'k1');
let relay: RelayProcess;
let dir: string;
beforeAll(async () => {
  relay = await startRelayProcess();
  dir = await mkdtemp(join(tmpdir(), 'parley-client-replica-'));
}, 60_000);
afterAll(async () => {
  await relay?.stop();
  await rm(dir, { recursive: true, force: true });
});

function nodeClient(token: string, replicaDir?: string): ParleyClient {
  return createClient({
    url: relay.wsUrl,
    token,
    WebSocket,
    backoff: { initialMs: 20, maxMs: 200 },
    ...(replicaDir ? { store: createFileStore({ dir: replicaDir }) } : {}),
  });
}

const texts = (doc: Y.Doc): string[] => doc.getArray<string>('messages').toArray();

/** Resolves when `check()` holds, re-checked on every change of `doc`; rejects at the deadline. */
function whenDoc(doc: Y.Doc, check: () => boolean, what: string, ms = 15_000): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onUpdate = (): void => {
      if (!check()) return;
      doc.off('update', onUpdate);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      doc.off('update', onUpdate);
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    doc.on('update', onUpdate);
  });
}

it('[P9] delivers an outbox written while the relay was down, once, after the client restarts on its file replica', async () => {
  const customerToken = await relay.token('customer', 'acme', 'c1');
  const first = nodeClient(customerToken, dir);
  const h = first.open(CONV);
  await h.whenSynced;
  h.doc.getArray<string>('messages').push(['before the crash']);
  const beforeId = h.doc.clientID;
  await new Promise<void>((resolve) => {
    const off = h.acks.onAck(() => {
      if (h.acks.isAcked(beforeId, 0)) {
        off();
        resolve();
      }
    });
  });

  await relay.kill(); // kill -9: whatever was acked must survive
  const offline = new Promise<void>((resolve) => first.on('status', (s) => s === 'offline' && resolve()));
  await offline;
  h.doc.getArray<string>('messages').push(['written offline 1', 'written offline 2']);
  await first.close(); // the process exits with the outbox unacknowledged

  await relay.restart();
  const second = nodeClient(customerToken, dir);
  const reopened = second.open(CONV);
  await reopened.whenSynced;
  const agentClient = nodeClient(await relay.token('agent', 'acme', 'a1'));
  const agent = agentClient.open(CONV);
  await agent.whenSynced;
  await whenDoc(agent.doc, () => texts(agent.doc).length >= 3, 'the outbox at the agent');
  expect(texts(agent.doc)).toEqual(['before the crash', 'written offline 1', 'written offline 2']);
  const svOf = (doc: Y.Doc): Array<[number, number]> => [...Y.decodeStateVector(Y.encodeStateVector(doc))];
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (svOf(reopened.doc).every(([c, clock]) => reopened.acks.isAcked(c, clock - 1))) resolve();
    };
    reopened.acks.onAck(check);
    check();
  });
  await Promise.all([second.close(), agentClient.close()]);
}, 60_000);
