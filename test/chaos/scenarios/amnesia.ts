/**
 * Relay amnesia: the relay's data folder is deleted while clients hold full replicas. When they
 * reconnect, their handshake ([P9]) finds a relay that lacks everything and uploads it back.
 */
import { rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { conversationDoc } from '@parley/core';
import { startRelayProcess } from '../../helpers/relay-process.js';
import { startFaultProxy } from '../fault-proxy.js';
import { figure, mustBeAll, type Figure } from '../figures.js';
import { messageIds, readFromRelay, startPeer, type Peer } from '../peers.js';
import { eventually } from '../probes.js';

export interface AmnesiaConfig {
  documents: number;
  messagesPerDocument: number;
}

const S = 'relay amnesia';

export async function relayAmnesia(cfg: AmnesiaConfig): Promise<Figure[]> {
  const relay = await startRelayProcess();
  // Clients go through a proxy that refuses them while the wiped relay is checked, so they cannot refill it first.
  const proxy = await startFaultProxy(() => relay.port);
  const peers: Peer[] = [];
  try {
    const docs = Array.from({ length: cfg.documents }, (_, i) => conversationDoc('acme', `a${i}`, 'k'));
    for (const [i, doc] of docs.entries()) {
      peers.push(startPeer({ wsUrl: proxy.wsUrl, token: await relay.token('customer', 'acme', `a${i}`), doc, me: { role: 'customer', id: `a${i}`, name: `a${i}` } }));
    }
    await Promise.all(peers.map((p) => p.handle.whenSynced));
    for (const p of peers) for (let m = 0; m < cfg.messagesPerDocument; m++) p.send(`m${m}`);
    await eventually(() => peers.every((p) => p.acked().size === cfg.messagesPerDocument), 'every message acknowledged', 60_000, 20);

    proxy.set({ refuse: true });
    await relay.kill();
    const wiped = readdirSync(relay.dataDir);
    for (const entry of wiped) rmSync(join(relay.dataDir, entry), { recursive: true, force: true });
    await relay.restart();
    const agentToken = await relay.token('agent', 'acme', 'auditor');
    const emptyRightAfter = (await Promise.all(docs.map(async (d) => messageIds(await readFromRelay(relay.wsUrl, agentToken, d)).length))).every((n) => n === 0);
    proxy.set({ refuse: false });

    // The clients reconnect by themselves (backoff); a document counts once a fresh reader gets every message back.
    let restored = 0;
    await eventually(
      async () => {
        restored = 0;
        for (const [i, doc] of docs.entries()) {
          const held = new Set(messageIds(await readFromRelay(relay.wsUrl, agentToken, doc)));
          if (peers[i]!.sent.every((id) => held.has(id))) restored++;
        }
        return restored === docs.length;
      },
      'every document restored from client replicas',
      60_000,
      200,
    ).catch(() => undefined);
    return [
      figure(S, 'data folder entries deleted', wiped.join(', ')),
      figure(S, 'relay empty right after the wipe', emptyRightAfter ? 'yes' : 'NO', { mustBe: 'yes', ok: emptyRightAfter }),
      mustBeAll(S, 'documents restored from client replicas / documents that existed', restored, docs.length),
    ];
  } finally {
    await Promise.all(peers.map((p) => p.close()));
    await proxy.close();
    await relay.kill();
  }
}
