/**
 * What the load generator does, one function per workload step. These run in the load process
 * (bench/load/worker.ts), never in the benchmark's own process nor in a server's.
 */
import * as Y from 'yjs';
import { connectPeer, type Peer } from './peer.js';
import { appendMessage, scanMarkers } from './messages.js';
import { cpuMs, mainThreadCpuMs } from './proc.js';
import { summarise, type LatencySummary } from './stats.js';
import { chunk, eachLimited, within } from './pool.js';
import type { Endpoint } from './wire.js';

const CONNECT_CONCURRENCY = 64;
const SYNC_TIMEOUT_MS = 60_000;
const WRITE_BATCH = 200;

/** Sockets a job leaves open for the next step to measure (memory held, idle cost); closed by `closeAll`. */
const held: Peer[] = [];

export async function closeAll(): Promise<{ closed: number }> {
  const peers = held.splice(0);
  await eachLimited(peers, 256, (p) => within(p.close(), 10_000, 'close').catch(() => undefined));
  return { closed: peers.length };
}

/** How many documents one socket follows: one on one-document wires, `perSocket` on multiplexed ones. */
async function openFollowers(endpoint: Endpoint, docs: readonly string[], perSocket: number, withDoc: boolean, onUpdate?: (doc: string, u: Uint8Array) => void): Promise<Peer[]> {
  const probe = await connectPeer(endpoint, docs[0]!, { withDoc, ...(onUpdate ? { onUpdate } : {}) });
  const groups = probe.wire.multiplexed ? chunk(docs, perSocket) : docs.map((d) => [d]);
  return eachLimited(groups, CONNECT_CONCURRENCY, async (group, i) => {
    const peer = i === 0 ? probe : await connectPeer(endpoint, group[0]!, { withDoc, ...(onUpdate ? { onUpdate } : {}) });
    await within(Promise.all(group.map((d) => peer.follow(d))), SYNC_TIMEOUT_MS, `first sync of ${group[0]}`);
    return peer;
  });
}

export interface FanoutPhase {
  rate: number;
  seconds: number;
}
export interface FanoutPhaseResult extends FanoutPhase {
  sent: number;
  received: number;
  latency: LatencySummary;
  serverCpuMs: number;
  /** the part of serverCpuMs spent on the server's event-loop thread */
  serverMainThreadCpuMs: number;
  loadCpuMs: number;
  wallMs: number;
}

/**
 * Workload 1. Every conversation has a customer (writer with a Y.Doc) and an agent side (reader
 * without one); customers send at `rate` messages/s in total; agents time each delivery. Agents
 * follow `agentDocsPerSocket` conversations per socket where the wire multiplexes.
 */
export async function fanout(args: {
  endpoint: Endpoint;
  /** where the readers connect when not at `endpoint` (workload 9: the writer is an agent, the reader the customer) */
  readerEndpoint?: Endpoint;
  serverPid: number;
  docs: string[];
  phases: FanoutPhase[];
  agentDocsPerSocket: number;
  stopAboveP99Ms?: number;
}): Promise<{ phases: FanoutPhaseResult[]; customerSockets: number; agentSockets: number }> {
  const { endpoint, serverPid, docs, phases } = args;
  let sendTimes = new Float64Array(1 << 16);
  let samples: number[] = [];
  const seen = new Set<number>();
  let received = 0;
  const agents = await openFollowers(args.readerEndpoint ?? endpoint, docs, args.agentDocsPerSocket, false, (_doc, update) => {
    const now = performance.now();
    scanMarkers(update, (seq) => {
      if (seq >= sendTimes.length || sendTimes[seq] === 0 || seen.has(seq)) return;
      seen.add(seq);
      received++;
      samples.push(now - sendTimes[seq]!);
    });
  });
  const customers = await openFollowers(endpoint, docs, 1, true);
  held.push(...agents, ...customers);

  let seq = 1;
  const results: FanoutPhaseResult[] = [];
  for (const phase of phases) {
    samples = [];
    received = 0;
    const firstSeq = seq;
    const total = Math.ceil(phase.rate * phase.seconds);
    if (sendTimes.length < seq + total + 1) {
      const bigger = new Float64Array((seq + total + 1) * 2);
      bigger.set(sendTimes);
      sendTimes = bigger;
    }
    const cpu0 = cpuMs(serverPid);
    const main0 = mainThreadCpuMs(serverPid);
    const load0 = process.cpuUsage();
    const t0 = performance.now();
    let sent = 0;
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const elapsed = (performance.now() - t0) / 1000;
        const due = Math.min(total, Math.floor(phase.rate * elapsed));
        while (sent < due) {
          const customer = customers[next]!;
          const doc = docs[next]!;
          next = (next + 1) % customers.length;
          sendTimes[seq] = performance.now();
          appendMessage(customer.doc(doc), seq, 'c');
          seq++;
          sent++;
        }
        if (sent >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    // Let deliveries drain; whatever is still missing after the deadline counts as lost.
    const drainDeadline = performance.now() + 5_000;
    while (received < sent && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, 20));
    const wallMs = performance.now() - t0;
    const load = process.cpuUsage(load0);
    results.push({
      ...phase,
      sent,
      received,
      latency: summarise(samples),
      serverCpuMs: cpuMs(serverPid) - cpu0,
      serverMainThreadCpuMs: mainThreadCpuMs(serverPid) - main0,
      loadCpuMs: (load.user + load.system) / 1000,
      wallMs,
    });
    for (let s = firstSeq; s < seq; s++) seen.delete(s);
    const last = results[results.length - 1]!;
    if (args.stopAboveP99Ms !== undefined && (last.latency.p99 > args.stopAboveP99Ms || last.received < last.sent)) break;
  }
  await closeAll();
  return { phases: results, customerSockets: customers.length, agentSockets: agents.length };
}

/**
 * Writes `messages` messages into each document (one update per document) and waits until the
 * server has processed them. With `hold`, the sockets stay open so the documents stay loaded.
 */
export async function populate(args: { endpoint: Endpoint; docs: string[]; messages: number; hold: boolean; concurrency?: number }): Promise<{ docs: number; encodedBytesPerDoc: number; ms: number }> {
  const t0 = performance.now();
  let encodedBytesPerDoc = 0;
  await eachLimited(args.docs, args.concurrency ?? CONNECT_CONCURRENCY, async (name) => {
    const peer = await connectPeer(args.endpoint, name, { withDoc: true });
    await within(peer.follow(name), SYNC_TIMEOUT_MS, `first sync of ${name}`);
    const doc = peer.doc(name);
    // Written in batches, as a device catching up would: relays cap the size of one update.
    for (let i = 0; i < args.messages; i += WRITE_BATCH) {
      doc.transact(() => {
        for (let k = i; k < Math.min(args.messages, i + WRITE_BATCH); k++) appendMessage(doc, k, 'c', 1_700_000_000_000 + k * 1000);
      });
      await within(peer.flush(name), SYNC_TIMEOUT_MS, `storing ${name}`);
    }
    encodedBytesPerDoc = Y.encodeStateAsUpdate(doc).byteLength;
    if (args.hold) held.push(peer);
    else await peer.close();
  });
  return { docs: args.docs.length, encodedBytesPerDoc, ms: performance.now() - t0 };
}

/**
 * Resolves when `doc` holds `count` messages. y-websocket with LevelDB answers the first sync before
 * it has loaded the document from disk and sends the history afterwards as an update, so "synced"
 * alone does not mean "has the history" for every server; the figures time the history.
 */
function untilMessages(doc: Y.Doc, count: number, waitMs = SYNC_TIMEOUT_MS): Promise<void> {
  const messages = doc.getArray('messages');
  if (messages.length >= count) return Promise.resolve();
  return within(
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (messages.length < count) return;
        doc.off('update', check);
        resolve();
      };
      doc.on('update', check);
    }),
    waitMs,
    `waiting for ${count} messages`,
  ).catch(() => undefined);
}

/** Workload 3: a fresh device syncs one document; how long it takes and how many bytes reach it over the network. */
export async function newDevice(args: { endpoint: Endpoint; doc: string; expectMessages: number }): Promise<{ ms: number; bytes: number; messages: number }> {
  const t0 = performance.now();
  const peer = await connectPeer(args.endpoint, args.doc, { withDoc: true });
  await within(peer.follow(args.doc), SYNC_TIMEOUT_MS, `first sync of ${args.doc}`);
  await untilMessages(peer.doc(args.doc), args.expectMessages);
  const ms = performance.now() - t0;
  const messages = peer.doc(args.doc).getArray('messages').length;
  const bytes = peer.wireBytesIn;
  await peer.close();
  if (messages !== args.expectMessages) throw new Error(`new device got ${messages} of ${args.expectMessages} messages`);
  return { ms, bytes, messages };
}

/** Workload 5: one agent follows many conversations; the sockets stay open until `closeAll`. */
export async function followMany(args: { endpoint: Endpoint; docs: string[]; perSocket: number; expectMessages: number; historyWaitMs?: number }): Promise<{ sockets: number; ms: number; bytes: number; missing: number }> {
  const t0 = performance.now();
  const peers = await openFollowers(args.endpoint, args.docs, args.perSocket, true);
  const groups = peers[0]!.wire.multiplexed ? chunk(args.docs, args.perSocket) : args.docs.map((d) => [d]);
  await Promise.all(groups.flatMap((group, i) => group.map((d) => untilMessages(peers[i]!.doc(d), args.expectMessages, args.historyWaitMs))));
  const ms = performance.now() - t0;
  held.push(...peers);
  // Reported, not thrown: a server that never delivers some history is a finding, not a crash.
  const missing = groups.reduce((n, group, i) => n + group.filter((d) => peers[i]!.doc(d).getArray('messages').length < args.expectMessages).length, 0);
  return { sockets: peers.length, ms, bytes: peers.reduce((n, p) => n + p.bytesIn, 0), missing };
}

/** Workload 8: opens `docs.length` sockets (one document each) and leaves them idle until `closeAll`. */
export async function connectMany(args: { endpoint: Endpoint; docs: string[]; concurrency: number }): Promise<{ sockets: number; ms: number }> {
  const t0 = performance.now();
  const peers = await eachLimited(args.docs, args.concurrency, async (name) => {
    const peer = await connectPeer(args.endpoint, name, { withDoc: false });
    await within(peer.follow(name), SYNC_TIMEOUT_MS, `first sync of ${name}`);
    return peer;
  });
  held.push(...peers);
  return { sockets: peers.length, ms: performance.now() - t0 };
}

/**
 * Workload 7: closed-loop writers on the multiplexed wire; each sends its next message only when
 * the previous one was acknowledged (after commit), so acks/s is the durable throughput. Each
 * writer is a customer with its own socket: on one shared socket the relay's per-socket frame
 * rate limit ([P10], 200/s after a burst of 4,000) would be what is measured.
 */
export async function ackedThroughput(args: { endpoint: Endpoint; serverPid: number; docs: string[]; seconds: number }): Promise<{ acked: number; perSecond: number; serverCpuMs: number; ackLatency: LatencySummary }> {
  const peers = await openFollowers(args.endpoint, args.docs, 1, true);
  const cpu0 = cpuMs(args.serverPid);
  const deadline = performance.now() + args.seconds * 1000;
  let acked = 0;
  let seq = 0;
  const ackMs: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    args.docs.map(async (name, i) => {
      const peer = peers[i]!;
      while (performance.now() < deadline) {
        const sentAt = performance.now();
        appendMessage(peer.doc(name), seq++, 'c');
        await within(peer.flush(name), 10_000, `ack for ${name}`);
        ackMs.push(performance.now() - sentAt);
        acked++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const serverCpuMs = cpuMs(args.serverPid) - cpu0;
  await Promise.all(peers.map((p) => p.close()));
  return { acked, perSecond: acked / seconds, serverCpuMs, ackLatency: summarise(ackMs) };
}
