/**
 * Network faults between clients and a healthy relay, through fault proxies: latency, a bandwidth
 * cap, connections cut mid-frame, a blackhole, and a partition of one group of clients while the
 * other group carries on. Four replicas of one conversation (the customer on two devices through
 * core's client, an agent through core's client, and an agent on a stock y-websocket provider)
 * keep writing through every fault; after each heal we time how long until all four show the
 * same transcript holding every message, and count any message shown twice.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { Conversation, conversationDoc } from '@parley/core';
import { startRelayProcess } from '../../helpers/relay-process.js';
import { startFaultProxy, type FaultProxy } from '../fault-proxy.js';
import { figure, mustEqual, percentile, type Figure } from '../figures.js';
import { duplicates, startPeer } from '../peers.js';
import { eventually } from '../probes.js';

export interface NetworkConfig {
  /** rounds of fault → heal; fault kinds are taken in turn */
  rounds: number;
  /** messages each replica sends while the fault lasts */
  messagesPerRound: number;
  /** how long each fault lasts */
  faultMs: number;
}

type FaultKind = 'latency 300 ms' | 'bandwidth 4 KiB/s' | 'cut mid-frame' | 'blackhole group A' | 'partition group A';
const KINDS: FaultKind[] = ['latency 300 ms', 'bandwidth 4 KiB/s', 'cut mid-frame', 'blackhole group A', 'partition group A'];

const S = 'network faults';

interface Replica {
  name: string;
  conv: Conversation;
  send(text: string): string;
}

export async function networkFaults(cfg: NetworkConfig, log: (line: string) => void = () => undefined): Promise<Figure[]> {
  const relay = await startRelayProcess();
  const groupA = await startFaultProxy(() => relay.port);
  const groupB = await startFaultProxy(() => relay.port);
  const doc = conversationDoc('acme', 'c1', 'net');
  const closers: (() => Promise<void> | void)[] = [];
  try {
    const customerToken = await relay.token('customer', 'acme', 'c1');
    const phone = startPeer({ wsUrl: groupA.wsUrl, token: customerToken, doc, me: { role: 'customer', id: 'c1', name: 'Cem' } });
    const laptop = startPeer({ wsUrl: groupB.wsUrl, token: customerToken, doc, me: { role: 'customer', id: 'c1', name: 'Cem' } });
    const agent = startPeer({ wsUrl: groupB.wsUrl, token: await relay.token('agent', 'acme', 'a1'), doc, me: { role: 'agent', id: 'a1', name: 'Ada' } });
    closers.push(() => phone.close(), () => laptop.close(), () => agent.close());
    // A stock y-websocket client in group A, on the one-document endpoint.
    const stockDoc = new Y.Doc();
    const provider = new WebsocketProvider(`${groupA.wsUrl}/sync`, doc, stockDoc, {
      params: { token: await relay.token('agent', 'acme', 'a2') },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      maxBackoffTime: 500,
      disableBc: true,
    });
    closers.push(() => provider.destroy());
    // y-websocket 3.1 stops reconnecting after a 44xx close: record them, they explain a stuck stock client.
    const stockClosedFor: string[] = [];
    provider.on('closed', ({ code, reason }) => stockClosedFor.push(`${code} ${reason}`));
    const stock = Conversation.open({ doc: stockDoc, me: { role: 'agent', id: 'a2', name: 'Bo' }, deviceId: 'stock' });
    await Promise.all([phone, laptop, agent].map((p) => p.handle.whenSynced));
    await eventually(() => provider.synced, 'the stock provider to sync');
    const replicas: Replica[] = [
      { name: 'phone', conv: phone.conv, send: (t) => phone.send(t) },
      { name: 'laptop', conv: laptop.conv, send: (t) => laptop.send(t) },
      { name: 'agent', conv: agent.conv, send: (t) => agent.send(t) },
      { name: 'stock y-websocket', conv: stock, send: (t) => stock.send({ text: t }).id },
    ];
    const sent = new Set<string>();
    const converged = (): boolean => {
      const first = replicas[0]!.conv.messages().map((m) => m.id);
      if (first.length < sent.size || !first.every((id) => sent.has(id))) return false;
      return replicas.every((r) => {
        const ids = r.conv.messages().map((m) => m.id);
        return ids.length === first.length && ids.every((id, i) => id === first[i]);
      });
    };
    const times: number[] = [];
    const byKind = new Map<FaultKind, number[]>();
    for (let round = 0; round < cfg.rounds; round++) {
      const kind = KINDS[round % KINDS.length]!;
      await apply(kind, groupA, groupB);
      const spacing = cfg.faultMs / cfg.messagesPerRound;
      for (let i = 0; i < cfg.messagesPerRound; i++) {
        for (const r of replicas) sent.add(r.send(`${kind} #${round}.${i} from ${r.name}`));
        await new Promise((resolve) => setTimeout(resolve, spacing));
      }
      groupA.heal();
      groupB.heal();
      const healed = performance.now();
      await eventually(converged, `replicas to converge after ${kind}`, 60_000, 5).catch((err: Error) => {
        // Say who is behind and what their sockets think, so a failed round can be traced.
        const state = replicas.map((r) => `${r.name}: ${r.conv.messages().length}/${sent.size} shown, ${[...sent].filter((id) => !r.conv.messages().some((m) => m.id === id)).length} missing`);
        const sockets = `phone ${phone.client.status}, laptop ${laptop.client.status}, agent ${agent.client.status}, stock ${provider.wsconnected ? 'connected' : 'disconnected'}${provider.synced ? ' synced' : ''}${stockClosedFor.length ? ` (gave up after close ${stockClosedFor.join(', ')})` : ''}; proxy A ${groupA.connections} / B ${groupB.connections} connections`;
        throw new Error(`${err.message} (${state.join('; ')}; ${sockets})`);
      });
      const ms = performance.now() - healed;
      times.push(ms);
      byKind.set(kind, [...(byKind.get(kind) ?? []), ms]);
      log(`round ${round + 1}/${cfg.rounds} ${kind}: converged ${ms.toFixed(0)} ms after heal`);
    }
    const dups = replicas.reduce((n, r) => n + duplicates(r.conv.messages().map((m) => m.id)), 0);
    const texts = replicas[0]!.conv.messages().map((m) => m.text);
    return [
      figure(S, 'fault rounds (each replica writing during the fault)', `${cfg.rounds} (${sent.size} messages)`),
      figure(S, 'time to converge after heal, p50', percentile(times, 50), { unit: 'ms' }),
      figure(S, 'time to converge after heal, p99', percentile(times, 99), { unit: 'ms' }),
      ...[...byKind].map(([kind, ms]) => figure(S, `  worst after ${kind}`, Math.max(...ms), { unit: 'ms' })),
      mustEqual(S, 'duplicates shown in any transcript', dups + duplicates(texts), 0),
      mustEqual(S, 'messages missing from a transcript', sent.size - replicas[0]!.conv.messages().length, 0),
    ];
  } finally {
    for (const close of closers) await close();
    await groupA.close();
    await groupB.close();
    await relay.kill();
  }
}

async function apply(kind: FaultKind, a: FaultProxy, b: FaultProxy): Promise<void> {
  switch (kind) {
    case 'latency 300 ms':
      a.set({ latencyMs: 300 });
      b.set({ latencyMs: 300 });
      return;
    case 'bandwidth 4 KiB/s':
      a.set({ bytesPerSecond: 4096 });
      b.set({ bytesPerSecond: 4096 });
      return;
    case 'cut mid-frame':
      // Cut while traffic flows: both groups lose their sockets in the middle of whatever was being sent.
      await Promise.all([a.cutMidFrame(), b.cutMidFrame()]);
      return;
    case 'blackhole group A':
      a.set({ blackhole: true });
      return;
    case 'partition group A':
      a.set({ refuse: true });
      await a.cutMidFrame();
      return;
  }
}
