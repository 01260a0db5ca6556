/**
 * Reconnect storm: many customers online at once (one socket and one conversation each), the relay
 * restarts, and every client comes back at the same moment with its default backoff, each with a
 * message written while the relay was away. We time how long until every client has re-synced
 * and seen its offline message acknowledged, and watch the relay's memory (/proc VmHWM) and its
 * own event-loop delay (/metrics), with /healthz round trips as a client-side second opinion.
 * The clients live in several child processes (test/chaos/storm-clients.ts), at most
 * `clientsPerProcess` each, so one process's CPU and file descriptors are not what is measured.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startRelayProcess } from '../../helpers/relay-process.js';
import { figure, mustBeAll, percentile, type Figure } from '../figures.js';
import { probeStalls, processMemory, relayLoopDelay } from '../probes.js';
import type { StormCommand, StormReport } from '../storm-clients.js';

export interface StormConfig {
  clients: number;
  /** default 1,000; at least two processes are used so the split itself is always exercised */
  clientsPerProcess?: number;
  /** how long to wait for every client to re-sync after the restart (default 180 s) */
  resyncTimeoutMs?: number;
}

const S = 'reconnect storm';

interface ClientProcess {
  send(command: StormCommand): void;
  next<T extends StormReport['type']>(type: T): Promise<Extract<StormReport, { type: T }>>;
  exited: Promise<void>;
  child: ChildProcess;
}

function forkClients(): ClientProcess {
  const child = fork(join(import.meta.dirname, '..', 'storm-clients.ts'), [], { execArgv: ['--conditions=source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    child,
    exited,
    send: (command) => void child.send(command),
    next: (type) =>
      new Promise((resolve, reject) => {
        const onMessage = (r: StormReport): void => {
          if (r.type === 'failed') reject(new Error(`storm client process: ${r.message}`));
          else if (r.type === type) resolve(r as Extract<StormReport, { type: typeof type }>);
          else return;
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        const onExit = (code: number | null): void => reject(new Error(`storm client process exited with ${code} while waiting for ${type}`));
        child.on('message', onMessage);
        child.once('exit', onExit);
      }),
  };
}

export async function reconnectStorm(cfg: StormConfig, log: (line: string) => void = () => undefined): Promise<Figure[]> {
  const relay = await startRelayProcess();
  const processes = Math.max(2, Math.ceil(cfg.clients / (cfg.clientsPerProcess ?? 1000)));
  const slices = Array.from({ length: processes }, (_, i) => Math.floor(cfg.clients / processes) + (i < cfg.clients % processes ? 1 : 0));
  const children = slices.map(() => forkClients());
  const all = <T extends StormReport['type']>(type: T): Promise<Extract<StormReport, { type: T }>[]> => Promise.all(children.map((c) => c.next(type)));
  try {
    let first = 0;
    // One process warms up at a time, so the warm-up is not itself a storm.
    for (const [i, child] of children.entries()) {
      const answer = child.next('connected');
      child.send({ type: 'connect', wsUrl: relay.wsUrl, secret: relay.secret, first, count: slices[i]! });
      await answer;
      first += slices[i]!;
    }
    log(`storm: ${cfg.clients} clients in ${processes} processes connected and acked`);

    await relay.stop();
    const away = all('away-done');
    for (const c of children) c.send({ type: 'away' });
    await away;
    await relay.restart();
    const started = performance.timeOrigin + performance.now();
    const probe = probeStalls(relay.url);
    const collected = all('collected');
    for (const c of children) c.send({ type: 'collect', timeoutMs: cfg.resyncTimeoutMs ?? 180_000 });
    const reports = await collected;
    const doneAt = reports.flatMap((r) => r.doneAt.map((t) => t - started));
    const done = doneAt.length;
    const allSyncedMs = done === cfg.clients ? Math.max(...doneAt) : NaN;
    const stalls = await probe.stop();
    const loop = await relayLoopDelay(relay.url);
    const memory = processMemory(relay.pid);
    log(`storm: ${done}/${cfg.clients} re-synced in ${allSyncedMs.toFixed(0)} ms; relay loop delay p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(1)} ms`);
    return [
      figure(S, 'clients reconnecting at once', cfg.clients),
      figure(S, 'client processes', processes),
      mustBeAll(S, 'clients re-synced with their offline message acknowledged', done, cfg.clients),
      figure(S, 'time until all synced (after the relay listens again)', allSyncedMs, { unit: 'ms' }),
      figure(S, 'time until a client is synced, p50', percentile(doneAt, 50), { unit: 'ms' }),
      figure(S, 'relay peak RSS (VmHWM, since restart)', memory?.peakMiB ?? NaN, { unit: 'MiB' }),
      figure(S, 'relay event-loop delay p99 (relay /metrics, since restart)', loop.p99, { unit: 'ms' }),
      figure(S, 'relay event-loop delay max (relay /metrics, since restart)', loop.max, { unit: 'ms' }),
      figure(S, 'second opinion: /healthz round trip p99 (client-side)', stalls.p99, { unit: 'ms' }),
    ];
  } finally {
    for (const c of children) if (c.child.connected) c.send({ type: 'close' });
    await Promise.race([Promise.all(children.map((c) => c.exited)), new Promise((r) => setTimeout(r, 30_000).unref())]);
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    await relay.kill();
  }
}
