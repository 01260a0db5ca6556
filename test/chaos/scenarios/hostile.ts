/**
 * Hostile input against a real relay process while honest people keep chatting on it. Attackers
 * hold valid tokens (except the pre-authentication flood): random bytes and mutated updates from a
 * printed seed, the relay's poison payload files, a 100 MiB frame, sockets that never read,
 * 100,000 distinct document names on one socket, and junk before authentication.
 * The relay must not crash, must keep answering, and every honest message must arrive. Stalls are
 * the relay's own event-loop delay from /metrics (since its start, which is this scenario's start).
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { conversationDoc, protocol } from '@parley/core';
import { repoRoot, startRelayProcess, type RelayProcess } from '../../helpers/relay-process.js';
import { figure, mustBeAll, mustEqual, type Figure } from '../figures.js';
import { startPeer } from '../peers.js';
import { eventually, isAlive, probeStalls, processMemory, relayLoopDelay, seeded } from '../probes.js';

export interface HostileConfig {
  seed: number;
  /** random-byte and mutated-update frames each */
  fuzzFrames: number;
  slowConsumers: number;
  /** distinct document names one socket tries to open */
  documentNames: number;
  /** connections that send junk before authenticating */
  preAuthConnections: number;
  /** send one 100 MiB frame */
  hugeFrame: boolean;
}

const S = 'hostile input';
const { Frame } = protocol;
const poisonDir = join(repoRoot, 'packages', 'sync-server', 'src', 'relay', 'poison');

/** A raw websocket to the relay; resolves once open, or with null if the upgrade was refused. */
const closeCodes = new WeakMap<WebSocket, Promise<number>>();

function rawSocket(url: string): Promise<WebSocket | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { maxPayload: 256 * 1024 * 1024 });
    closeCodes.set(ws, new Promise((done) => ws.once('close', (code) => done(code))));
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', () => (ws.terminate(), resolve(null)));
    ws.once('error', () => resolve(null));
  });
}

const closedWithin = (ws: WebSocket, ms: number): Promise<number | 'open'> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([closeCodes.get(ws)!, new Promise<'open'>((resolve) => (timer = setTimeout(() => resolve('open'), ms)))]).finally(() => clearTimeout(timer));
};

/** One labelled counter from the relay's Prometheus text. */
async function metric(relay: RelayProcess, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`"${label}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

export async function hostileInput(cfg: HostileConfig, log: (line: string) => void = () => undefined): Promise<Figure[]> {
  const random = seeded(cfg.seed);
  const relay = await startRelayProcess();
  const honestDoc = conversationDoc('acme', 'c1', 'honest');
  const customer = startPeer({ wsUrl: relay.wsUrl, token: await relay.token('customer', 'acme', 'c1'), doc: honestDoc, me: { role: 'customer', id: 'c1', name: 'Cem' } });
  const agent = startPeer({ wsUrl: relay.wsUrl, token: await relay.token('agent', 'acme', 'a1'), doc: honestDoc, me: { role: 'agent', id: 'a1', name: 'Ada' } });
  const open: WebSocket[] = [];
  let chat: NodeJS.Timeout | undefined;
  try {
    await Promise.all([customer.handle.whenSynced, agent.handle.whenSynced]);
    let n = 0;
    chat = setInterval(() => {
      customer.send(`customer ${n}`);
      agent.send(`agent ${n++}`);
    }, 50);
    const probe = probeStalls(relay.url);
    const attackToken = await relay.token('customer', 'acme', 'mallory');
    const agentAttackToken = await relay.token('agent', 'acme', 'mallory-agent');
    const malloryDoc = conversationDoc('acme', 'mallory', 'k');
    const mux = `${relay.wsUrl}/mux?token=${attackToken}`;
    const attacks: Record<string, string> = {};

    // 1. Random bytes, then updates with random bytes flipped, each on a socket reopened as the relay closes it.
    const fuzz = async (label: string, make: () => Uint8Array): Promise<void> => {
      let ws: WebSocket | null = null;
      let closes = 0;
      for (let i = 0; i < cfg.fuzzFrames; i++) {
        if (!ws || ws.readyState !== WebSocket.OPEN) {
          if (ws) closes++;
          ws = await rawSocket(mux);
          if (!ws) throw new Error('attacker socket refused');
          ws.send(protocol.encodeFrame({ type: Frame.open, doc: malloryDoc, stateVector: new Uint8Array([0]) }));
        }
        ws.send(make());
        if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
      }
      ws?.close();
      attacks[label] = `${cfg.fuzzFrames} frames, ${closes} sockets closed by the relay`;
    };
    const bytes = (len: number): Uint8Array => Uint8Array.from({ length: len }, () => Math.floor(random() * 256));
    await fuzz('random bytes', () => bytes(1 + Math.floor(random() * 200)));
    const base = new Y.Doc();
    base.getArray('messages').push([new Y.Map([['text', 'hello']])]);
    const valid = Y.encodeStateAsUpdate(base);
    await fuzz('mutated updates', () => {
      const mutated = valid.slice();
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      return protocol.encodeFrame({ type: Frame.sync, doc: malloryDoc, message: protocol.encodeSyncMessage(protocol.syncUpdate, mutated) });
    });

    // 2. The poison payload files, on /mux and on /sync.
    let poisonRefused = 0;
    const poison = readdirSync(poisonDir).filter((f) => f.endsWith('.bin'));
    for (const file of poison) {
      const payload = new Uint8Array(readFileSync(join(poisonDir, file)));
      const m = await rawSocket(mux);
      m!.send(protocol.encodeFrame({ type: Frame.open, doc: malloryDoc, stateVector: new Uint8Array([0]) }));
      m!.send(protocol.encodeFrame({ type: Frame.sync, doc: malloryDoc, message: protocol.encodeSyncMessage(protocol.syncUpdate, payload) }));
      const s = await rawSocket(`${relay.wsUrl}/sync/${malloryDoc}?token=${attackToken}`);
      s!.send(protocol.encodeYwsSync(protocol.syncUpdate, payload));
      const [mc, sc] = await Promise.all([closedWithin(m!, 10_000), closedWithin(s!, 10_000)]);
      for (const [endpoint, code] of [['/mux', mc], ['/sync', sc]] as const) {
        if (code === protocol.Code.badFrame) poisonRefused++;
        else log(`poison ${file} on ${endpoint}: closed with ${code}, expected 4400`);
      }
      m!.terminate();
      s!.terminate();
    }
    attacks['poison payload files'] = `${poison.length} files × 2 endpoints`;

    // 3. One 100 MiB frame.
    let hugeRefused = 1;
    if (cfg.hugeFrame) {
      const ws = await rawSocket(mux);
      ws!.send(Buffer.alloc(100 * 1024 * 1024, 7));
      const code = await closedWithin(ws!, 60_000);
      hugeRefused = code === 'open' ? 0 : 1;
      attacks['100 MiB frame'] = `closed with ${code}`;
      ws!.terminate();
    }

    // 4. Sockets that never read, following a document a loud agent fills with big updates (~6 MB/s).
    const loudDoc = conversationDoc('acme', 'c1', 'loud');
    const slow: WebSocket[] = [];
    for (let i = 0; i < cfg.slowConsumers; i++) {
      const ws = await rawSocket(`${relay.wsUrl}/mux?token=${agentAttackToken}`);
      ws!.send(protocol.encodeFrame({ type: Frame.open, doc: loudDoc, stateVector: new Uint8Array([0]) }));
      open.push(ws!);
      slow.push(ws!);
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const ws of slow) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const loud = await rawSocket(`${relay.wsUrl}/mux?token=${await relay.token('agent', 'acme', 'loud')}`);
    open.push(loud!);
    loud!.send(protocol.encodeFrame({ type: Frame.open, doc: loudDoc, stateVector: new Uint8Array([0]) }));
    const loudYdoc = new Y.Doc();
    loudYdoc.on('update', (update: Uint8Array) => loud!.send(protocol.encodeFrame({ type: Frame.sync, doc: loudDoc, message: protocol.encodeSyncMessage(protocol.syncUpdate, update) })));
    // Incompressible noise: the relay deflates large frames (permessage-deflate), and 60 KB of one
    // letter would reach the socket as ~100 bytes, so the ceiling on unsent bytes would never be hit.
    const loudTimer = setInterval(() => loudYdoc.getArray('noise').push([randomBytes(45_000).toString('base64')]), 10);
    // The client never reads, so it cannot see its close frame: count the cut-offs where the relay reports them.
    const cutBefore = await metric(relay, 'parley_rejections', 'slow_consumer');
    let slowCut = 0;
    await eventually(async () => (slowCut = (await metric(relay, 'parley_rejections', 'slow_consumer')) - cutBefore) >= cfg.slowConsumers, 'slow consumers to be cut off', 30_000, 250).catch(() => undefined);
    clearInterval(loudTimer);
    loud!.close();
    attacks['slow consumers'] = `${cfg.slowConsumers} never reading; ${slowCut} cut off (relay metric slow_consumer)`;

    // 5. 100,000 distinct document names on one socket: refused past the per-socket limit or the rate limit.
    const names = await rawSocket(`${relay.wsUrl}/mux?token=${agentAttackToken}`);
    let namesSent = 0;
    let namesRefused = 0;
    names!.on('message', (data: Buffer) => {
      const f = protocol.decodeFrame(new Uint8Array(data));
      if ((f.type === Frame.close || f.type === Frame.error) && (f.code === protocol.Code.tooLarge || f.code === protocol.Code.rateLimited)) namesRefused++;
    });
    const namesClosed = closedWithin(names!, 120_000);
    for (; namesSent < cfg.documentNames && names!.readyState === WebSocket.OPEN; namesSent++) {
      names!.send(protocol.encodeFrame({ type: Frame.open, doc: conversationDoc('acme', `n${namesSent}`, 'k'), stateVector: new Uint8Array([0]) }));
      if (namesSent % 500 === 499) await new Promise((r) => setTimeout(r, 1));
    }
    names!.close();
    const namesCode = await namesClosed;
    attacks['distinct document names'] = `${namesSent} opens sent; ${namesRefused} refused by frame; socket closed with ${namesCode}`;
    const namesBounded = namesRefused > 0 || namesCode === protocol.Code.rateLimited || namesCode === protocol.Code.tooLarge;

    // 6. Junk before authentication: endless headers, garbage, upgrades without a token.
    const preAuth = await floodBeforeAuth(relay, cfg.preAuthConnections, random);
    attacks['pre-authentication flood'] = `${cfg.preAuthConnections} connections; ${preAuth.refused} refused or cut`;

    clearInterval(chat);
    chat = undefined;
    const sentByCustomer = customer.sent.length;
    const sentByAgent = agent.sent.length;
    await eventually(
      () => {
        const seenByAgent = new Set(agent.transcript());
        const seenByCustomer = new Set(customer.transcript());
        return customer.sent.every((id) => seenByAgent.has(id)) && agent.sent.every((id) => seenByCustomer.has(id));
      },
      'honest messages to arrive',
      30_000,
      50,
    ).catch(() => undefined);
    const seenByAgent = new Set(agent.transcript());
    const seenByCustomer = new Set(customer.transcript());
    const delivered = customer.sent.filter((id) => seenByAgent.has(id)).length + agent.sent.filter((id) => seenByCustomer.has(id)).length;
    if (delivered < sentByCustomer + sentByAgent) {
      // A shortfall only shows under a loaded CI machine; say which side stopped, when, and what its client saw.
      for (const [who, from, to] of [['customer', customer, seenByAgent], ['agent', agent, seenByCustomer]] as const) {
        const missing = from.sent.filter((id) => !to.has(id));
        const acked = from.acked();
        const shortfall = missing.length === 0 ? 'none missing' : `${missing.filter((id) => acked.has(id)).length} of the missing were acked; first missing #${from.sent.indexOf(missing[0]!)}`;
        log(`${who}: ${from.sent.length - missing.length} / ${from.sent.length} arrived; ${shortfall}`);
        log(`${who} client: status ${from.client.status}; ${from.events.join('; ') || 'no events'}`);
      }
      for (const l of relay.logs.filter((l) => l.level !== 'debug').slice(-30)) log(`relay ${JSON.stringify(l)}`);
    }
    const stalls = await probe.stop();
    const loop = await relayLoopDelay(relay.url);
    const memory = processMemory(relay.pid);
    const crashes = (isAlive(relay.pid) ? 0 : 1) + relay.logs.filter((l) => l.level === 'error' || l.level === 'fatal').length;
    for (const [what, result] of Object.entries(attacks)) log(`${what}: ${result}`);
    return [
      figure(S, 'seed (replay: SEED=<n>)', cfg.seed),
      ...Object.entries(attacks).map(([what, result]) => figure(S, `  ${what}`, result)),
      mustEqual(S, 'relay crashes (process gone or error logged)', crashes, 0),
      mustBeAll(S, 'poison payloads refused with 4400', poisonRefused, poison.length * 2),
      figure(S, '100 MiB frame refused', hugeRefused ? 'yes' : 'NO', { mustBe: 'yes', ok: hugeRefused === 1 }),
      mustBeAll(S, 'slow consumers cut off', slowCut, cfg.slowConsumers),
      figure(S, 'document names bounded per socket', namesBounded ? 'yes' : 'NO', { mustBe: 'yes', ok: namesBounded }),
      mustBeAll(S, 'pre-authentication connections refused or cut', preAuth.refused, cfg.preAuthConnections),
      figure(S, 'relay event-loop delay p99 (relay /metrics)', loop.p99, { unit: 'ms' }),
      figure(S, 'relay event-loop delay max, worst stall (relay /metrics)', loop.max, { unit: 'ms' }),
      figure(S, 'second opinion: worst /healthz round trip (client-side)', stalls.worst, { unit: 'ms' }),
      figure(S, 'relay RSS ceiling (VmHWM)', memory?.peakMiB ?? NaN, { unit: 'MiB' }),
      mustBeAll(S, 'honest messages delivered during the attack', delivered, sentByCustomer + sentByAgent),
    ];
  } finally {
    if (chat) clearInterval(chat);
    for (const ws of open) ws.terminate();
    await customer.close();
    await agent.close();
    await relay.kill();
  }
}

/** Connections that never authenticate: half send endless header lines, half raw garbage, a few upgrade without a token. */
async function floodBeforeAuth(relay: RelayProcess, count: number, random: () => number): Promise<{ refused: number }> {
  const one = (i: number): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = tcpConnect({ host: '127.0.0.1', port: relay.port });
      let done = false;
      const finish = (refused: boolean): void => {
        if (done) return;
        done = true;
        clearInterval(timer);
        socket.destroy();
        resolve(refused);
      };
      let timer: NodeJS.Timeout | undefined;
      socket.on('data', (d) => {
        // An HTTP answer to junk is a refusal when it is a 4xx: nothing was served.
        if (/^HTTP\/1\.1 4\d\d/.test(d.toString('latin1'))) finish(true);
      });
      socket.on('close', () => finish(true));
      socket.on('error', () => finish(true));
      socket.once('connect', () => {
        if (i % 3 === 0) {
          socket.write('GET /mux HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
        } else if (i % 3 === 1) {
          socket.write('GET /mux HTTP/1.1\r\n');
          timer = setInterval(() => socket.write(`X-Junk-${Math.floor(random() * 1e9)}: ${'a'.repeat(1000)}\r\n`), 10);
        } else {
          timer = setInterval(() => socket.write(Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256)))), 10);
        }
      });
      setTimeout(() => finish(false), 20_000).unref();
    });
  const results = await Promise.all(Array.from({ length: count }, (_, i) => one(i)));
  return { refused: results.filter(Boolean).length };
}
