/**
 * The relay core's CPU per message, measured in process: a real relay and memory store, sockets that
 * only count what they are sent, customers writing Parley-shaped messages to their conversations
 * and agents following 25 conversations per socket (the benchmark's fan-out shape). No network, no
 * SQLite worker, no other process: on a shared machine this is the figure that stays put from run
 * to run, so it is the one to compare before and after a change to relay/ (the benchmark adds the
 * sockets and the store, and their noise).
 *
 *   node --conditions=source --import tsx packages/sync-server/src/relay/perf.ts [conversations] [messages each]
 */
import * as Y from 'yjs';
import { Frame, encodeFrame, encodeSyncMessage, syncUpdate } from '@parley/core/protocol';
import { authorize } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import { createMemoryStore } from '../storage/memory.js';
import { createRelay } from './relay.js';
import type { ConnectionHandlers } from './relay.js';
import type { RelaySocket } from '../socket.js';

const AGENT_DOCS_PER_SOCKET = 25;
const WARM_UP_ROUNDS = 10;

export interface PerfResult {
  messages: number;
  cpuMicrosPerMessage: number;
  bytesSentPerMessage: number;
}

/** Runs `rounds` messages in each of `conversations` documents; the first rounds warm the JIT up. */
export async function measureRelayCore(conversations = 300, rounds = 40): Promise<PerfResult> {
  let bytes = 0;
  let acks = 0;
  const socket = (): RelaySocket => ({
    send(data) {
      bytes += data.byteLength;
      if (data[0] === Frame.ack) acks++;
    },
    close: () => undefined,
    bufferedAmount: 0,
  });
  const relay = createRelay({
    store: createMemoryStore(),
    authorize,
    verifyToken: () => Promise.reject(new Error('no token refresh here')),
    limits: { framesPerSecond: 1e9, frameBurst: 1e9 },
  });
  const expiresAt = Date.now() + 3_600_000;
  const principal = (role: Principal['role'], sub: string): Principal => ({ ws: 'perf', role, sub, expiresAt, grants: [] });
  const names = Array.from({ length: conversations }, (_, i) => `ws/perf/customers/c${i}/conv/k`);
  const customers = names.map((_, i) => relay.handleConnection(socket(), { endpoint: 'mux', principal: principal('customer', `c${i}`) }));
  const agents: ConnectionHandlers[] = [];
  for (let i = 0; i < conversations; i += AGENT_DOCS_PER_SOCKET) agents.push(relay.handleConnection(socket(), { endpoint: 'mux', principal: principal('agent', 'a') }));
  names.forEach((doc, i) => {
    const open = encodeFrame({ type: Frame.open, doc, stateVector: new Uint8Array([0]) });
    customers[i]!.onMessage(open);
    agents[Math.floor(i / AGENT_DOCS_PER_SOCKET)]!.onMessage(open);
  });
  const frames = names.map((doc, i) => messageFrames(doc, `c${i}`, rounds));
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  const play = async (from: number, to: number): Promise<number> => {
    acks = 0;
    bytes = 0;
    const before = process.cpuUsage();
    for (let k = from; k < to; k++) {
      names.forEach((_, i) => customers[i]!.onMessage(frames[i]![k]!));
      await turn();
    }
    // every accepted update is acked after its commit: that is the end of its work
    while (acks < conversations * (to - from)) await turn();
    const used = process.cpuUsage(before);
    return used.user + used.system;
  };
  await turn();
  await play(0, Math.min(WARM_UP_ROUNDS, rounds));
  const messages = conversations * Math.max(0, rounds - WARM_UP_ROUNDS);
  const micros = await play(Math.min(WARM_UP_ROUNDS, rounds), rounds);
  await relay.close();
  return { messages, cpuMicrosPerMessage: messages ? micros / messages : 0, bytesSentPerMessage: messages ? bytes / messages : 0 };
}

/** One customer's messages as the /mux frames its client would send, encoded before timing starts. */
function messageFrames(doc: string, customer: string, count: number): Uint8Array[] {
  const ydoc = new Y.Doc();
  const frames: Uint8Array[] = [];
  ydoc.on('update', (update: Uint8Array) => frames.push(encodeFrame({ type: Frame.sync, doc, message: encodeSyncMessage(syncUpdate, update) })));
  for (let k = 0; k < count; k++) {
    ydoc.transact(() => {
      const message = new Y.Map<unknown>();
      ydoc.getArray('messages').push([message]);
      message.set('id', `m${k}`);
      message.set('author', { role: 'customer', id: customer, name: 'Perf customer' });
      message.set('kind', 'text');
      message.set('text', `Hello, my order has not arrived yet, can you help? (${k})`);
      message.set('clientTime', 1_700_000_000_000 + k);
      message.set('device', 'perf');
    });
  }
  return frames;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [conversations, rounds] = process.argv.slice(2).map(Number);
  const r = await measureRelayCore(conversations || undefined, rounds || undefined);
  console.log(`${r.messages} messages: ${r.cpuMicrosPerMessage.toFixed(1)} µs CPU per message, ${r.bytesSentPerMessage.toFixed(0)} bytes sent per message`);
}
