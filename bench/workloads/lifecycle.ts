/**
 * Workloads 4, 7 and 8: starting, committing and holding connections.
 * 4 cold start: N stored conversations; process start → /healthz and → first sync of one of them.
 * 7 durability cost: acked-after-commit throughput on Parley's mux (closed loop).
 * 8 connections: sockets accepted per second, then idle CPU per connection per second.
 */
import { cpuMs, rssBytes } from '../load/proc.js';
import { waitForHttp } from '../peers/spawn.js';
import { conversationName, PARLEY_BENCH_OWNER, type ServerSpec, type StartOptions } from '../peers/servers.js';
import { forEachServer, metric, noteAll, withServer, type Context, type WorkloadResult } from './context.js';
import { seedParleyStore } from './seed.js';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const COLD_MESSAGES = 10;
const POPULATE_CONCURRENCY = 128;
const CONNECT_CONCURRENCY = 100;
const DURABLE_WRITERS = 50;
const DURABILITY_ROUNDS = 3;

/**
 * The heartbeat of every server here that pings (Parley, y-websocket, Hocuspocus): each socket is
 * pinged once per this many seconds, so any window this long holds one ping round of each, whatever
 * its phase.
 */
const HEARTBEAT_PERIOD_S = 30;

interface CpuSample {
  at: number;
  cpuMs: number;
}

/** The server's CPU time once a second for `seconds` (first sample at once). */
async function sampleCpu(pid: number, seconds: number): Promise<CpuSample[]> {
  const samples: CpuSample[] = [{ at: performance.now(), cpuMs: cpuMs(pid) }];
  const t0 = samples[0]!.at;
  for (let k = 1; k <= seconds; k++) {
    await new Promise((res) => setTimeout(res, Math.max(0, t0 + k * 1000 - performance.now())));
    samples.push({ at: performance.now(), cpuMs: cpuMs(pid) });
  }
  return samples;
}

/**
 * The least CPU per second (ms/s) of any `seconds`-long stretch of consecutive samples, divided by
 * the stretch's measured length, not its nominal one. A one-off cost inside the idle time (a GC the
 * burst left behind) is then not read as a per-second cost of idle sockets.
 */
function quietestRate(samples: CpuSample[], seconds: number): number {
  let least = Infinity;
  for (let k = seconds; k < samples.length; k++) {
    const from = samples[k - seconds]!;
    const to = samples[k]!;
    least = Math.min(least, (to.cpuMs - from.cpuMs) / ((to.at - from.at) / 1000));
  }
  return least;
}

const STILL_MS = 1_000;
const STILL_DEADLINE_MS = 120_000;

/**
 * Bytes under `dir`, recursively. A server may delete a file between the listing and its stat (a
 * SQLite rollback journal does at every commit): such a file counts as gone, not as a failure.
 */
function folderBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    total += statSync(join(e.parentPath, e.name), { throwIfNoEntry: false })?.size ?? 0;
  }
  return total;
}

/** Resolves once `dir` has not changed size for STILL_MS (no event says "a server finished writing"). */
async function untilStill(dir: string): Promise<void> {
  const deadline = performance.now() + STILL_DEADLINE_MS;
  let last = folderBytes(dir);
  let stillSince = performance.now();
  while (performance.now() - stillSince < STILL_MS) {
    if (performance.now() > deadline) throw new Error(`${dir} still growing after ${STILL_DEADLINE_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
    const now = folderBytes(dir);
    if (now !== last) {
      last = now;
      stillSince = performance.now();
    }
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function coldStartWorkload(ctx: Context): Promise<WorkloadResult> {
  const N = ctx.sizes.coldStartDocs;
  const w = '4 cold start';
  const health = metric(w, `start → /healthz (${N.toLocaleString('en-US')} stored conversations)`, 'ms', 'lower', '< 1 s');
  const firstSync = metric(w, 'start → first sync of a stored conversation', 'ms', 'lower', '< 1 s');
  const metrics = [health, firstSync];
  const docs = Array.from({ length: N }, (_, i) => conversationName(i, 'cold'));
  const probe = docs[Math.floor(N / 2)]!;
  const notes: string[] = [];
  await forEachServer(ctx, metrics, ctx.servers, async (spec) => {
    const dir = mkdtempSync(join(tmpdir(), `parley-bench-cold-${spec.id}-`));
    try {
      if (spec.id === 'parley-mux' || spec.id === 'parley-sync') {
        const seeded = await seedParleyStore(dir, docs, COLD_MESSAGES, PARLEY_BENCH_OWNER);
        ctx.log(`  ${spec.id}: seeded ${N} conversations through the store in ${seeded.ms.toFixed(0)} ms`);
      } else if (spec.persistent) {
        const seeded = await withServer(
          ctx,
          spec,
          async (server, load) => {
            const r = await load.run('populate', { endpoint: server.endpoint, docs, messages: COLD_MESSAGES, hold: false, concurrency: POPULATE_CONCURRENCY });
            // These servers acknowledge nothing: y-websocket's LevelDB writes trail the sockets in one
            // queue, and a shutdown that overtakes them loses documents. Stop only once the folder is still.
            await untilStill(dir);
            return r;
          },
          dir,
        );
        ctx.log(`  ${spec.id}: seeded ${N} conversations over sockets in ${seeded.ms.toFixed(0)} ms`);
      }
      const load = await ctx.load();
      const server = await spec.start(dir);
      try {
        health.values[spec.id] = (await waitForHttp(server.healthUrl)) - server.spawnedAt;
        if (spec.persistent) {
          await load.run('newDevice', { endpoint: server.endpoint, doc: probe, expectMessages: COLD_MESSAGES });
          firstSync.values[spec.id] = performance.now() - server.spawnedAt;
        } else firstSync.notes[spec.id] = 'n/a (keeps nothing across restarts)';
      } finally {
        await server.stop();
      }
      ctx.log(`  ${spec.id}: healthz ${health.values[spec.id]?.toFixed(0)} ms, first sync ${firstSync.values[spec.id]?.toFixed(0) ?? 'n/a'} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  if (ctx.servers.some((s) => s.id.startsWith('parley'))) notes.push(`4 cold start: Parley's data folders are seeded through its store API (same documents, ${COLD_MESSAGES} messages each, no directory document); the other servers' over their own sockets.`);
  return { metrics, notes };
}

/**
 * Closed-loop writers, each waiting for its ack: the same relay once as shipped (ack after commit,
 * [P7]) and once with `--unsafe-ack-before-commit`, so the difference is what durability costs.
 */
export async function durabilityWorkload(ctx: Context): Promise<WorkloadResult> {
  const w = '7 durability cost';
  const rounds = ctx.quick ? 1 : DURABILITY_ROUNDS;
  const modes: { key: string; label: string; start: StartOptions }[] = [
    { key: 'safe', label: 'ack after commit', start: {} },
    { key: 'unsafe', label: 'unsafe ack before commit (bench only)', start: { unsafeAckBeforeCommit: true } },
  ];
  const rows = modes.map((m) => ({
    ...m,
    acked: metric(w, `acked throughput, ${m.label} (${DURABLE_WRITERS} closed-loop writers, median of ${rounds})`, 'msg/s', 'higher'),
    p50: metric(w, `ack latency p50, ${m.label}`, 'ms', 'lower'),
    p99: metric(w, `ack latency p99, ${m.label}`, 'ms', 'lower'),
    cpu: metric(w, `server CPU per acked message, ${m.label}`, 'µs', 'lower'),
  }));
  const kept = metric(w, 'throughput kept with durability (after commit / before commit)', '%', 'higher');
  const metrics = [...rows.map((r) => r.acked), kept, ...rows.flatMap((r) => [r.p50, r.p99]), ...rows.map((r) => r.cpu)];
  const mux = ctx.servers.filter((s) => s.wire === 'mux');
  for (const s of ctx.servers) if (s.wire !== 'mux') noteAll(metrics, s.id, 'n/a (no durable acks)');
  const docs = Array.from({ length: DURABLE_WRITERS }, (_, i) => conversationName(i, 'durable'));
  await forEachServer(ctx, metrics, mux, async (spec: ServerSpec) => {
    // Alternating rounds, medians: on a shared machine one round of each says more about the neighbours.
    const samples = rows.map(() => ({ acked: [] as number[], p50: [] as number[], p99: [] as number[], cpu: [] as number[] }));
    for (let round = 0; round < rounds; round++) {
      for (const [k, row] of rows.entries()) {
        await withServer(
          ctx,
          spec,
          async (server, load) => {
            const r = await load.run('ackedThroughput', { endpoint: server.endpoint, serverPid: server.pid, docs, seconds: ctx.sizes.durabilitySeconds });
            samples[k]!.acked.push(r.perSecond);
            samples[k]!.p50.push(r.ackLatency.p50);
            samples[k]!.p99.push(r.ackLatency.p99);
            samples[k]!.cpu.push((r.serverCpuMs * 1000) / r.acked);
            ctx.log(`  ${spec.id} ${row.key}: ${r.perSecond.toFixed(0)} acked msg/s, p50 ${r.ackLatency.p50} p99 ${r.ackLatency.p99} ms`);
          },
          undefined,
          row.start,
        );
      }
    }
    for (const [k, row] of rows.entries()) {
      const got = samples[k]!;
      row.acked.values[spec.id] = median(got.acked);
      row.p50.values[spec.id] = median(got.p50);
      row.p99.values[spec.id] = median(got.p99);
      row.cpu.values[spec.id] = median(got.cpu);
    }
    const [safe, unsafe] = rows.map((r) => r.acked.values[spec.id]);
    if (safe !== undefined && unsafe) kept.values[spec.id] = (100 * safe) / unsafe;
  });
  return { metrics };
}

export async function connectionsWorkload(ctx: Context): Promise<WorkloadResult> {
  const { idleSockets: N, idleSeconds } = ctx.sizes;
  const w = '8 connections';
  const period = Math.min(HEARTBEAT_PERIOD_S, idleSeconds);
  const rate = metric(w, `connections accepted and synced per second (${N.toLocaleString('en-US')})`, 'conn/s', 'higher', '≥ 2× y-websocket');
  const idle = metric(w, `idle CPU per connection per second, quietest ${period} s of ${idleSeconds} s idle`, 'µs', 'lower', '≤ 2 µs');
  const idleAll = metric(w, `idle CPU per connection per second, all ${idleSeconds} s from 1 s after the last connect`, 'µs', 'lower');
  const memory = metric(w, 'RSS growth per idle connection', 'KB', 'lower');
  const metrics = [rate, idle, idleAll, memory];
  const docs = Array.from({ length: N }, (_, i) => conversationName(i, 'idle'));
  await forEachServer(ctx, metrics, ctx.servers, async (spec) => {
    await withServer(ctx, spec, async (server, load) => {
      const rss0 = rssBytes(server.pid);
      const r = await load.run('connectMany', { endpoint: server.endpoint, docs, concurrency: CONNECT_CONCURRENCY });
      rate.values[spec.id] = r.sockets / (r.ms / 1000);
      // Let the accept burst's own deferred work finish before timing idleness.
      await new Promise((res) => setTimeout(res, ctx.quick ? 250 : 1000));
      const samples = await sampleCpu(server.pid, idleSeconds);
      // ms of CPU per second → µs per connection per second
      const perConn = (msPerSecond: number): number => (msPerSecond * 1000) / N;
      idleAll.values[spec.id] = perConn(quietestRate(samples, samples.length - 1));
      idle.values[spec.id] = perConn(quietestRate(samples, period));
      memory.values[spec.id] = (rssBytes(server.pid) - rss0) / 1024 / N;
      await load.run('closeAll', undefined);
      ctx.log(`  ${spec.id}: ${rate.values[spec.id]!.toFixed(0)} conn/s, idle ${idle.values[spec.id]!.toFixed(3)} µs/conn/s (all ${idleAll.values[spec.id]!.toFixed(3)}), ${memory.values[spec.id]!.toFixed(1)} KB/conn`);
    });
  });
  const round = period === HEARTBEAT_PERIOD_S ? ', which holds exactly one heartbeat round of every server that pings (Parley, y-websocket and Hocuspocus ping each socket every 30 s)' : ` (shorter than the 30 s heartbeat round, so pings may or may not fall in it)`;
  const notes = [`8 connections: idle CPU is sampled every second; the first row is the cheapest ${period} s stretch${round}, the second the whole idle time, which also holds V8's memory-reducing GCs that follow the connect burst once.`];
  return { metrics, notes };
}
