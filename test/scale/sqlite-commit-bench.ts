/**
 * How fast a store (SQLite, or Postgres for comparison) commits, and what committing costs the event loop.
 *
 *   node --conditions=source --import tsx test/scale/sqlite-commit-bench.ts [--worker | --postgres]
 *
 * 1. saturated: 200 writers, each sending its next 1 KB update as soon as the last one is durable
 *    (a client waiting for acks): appends/s and commit latency.
 * 2. paced: 2,000 appends/s arriving from a timer, as sockets would deliver them: commit latency,
 *    event-loop delay (what every other socket on the relay waits) and event-loop utilisation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import { openPostgresStore } from '../../packages/sync-server/src/storage/postgres.js';
import { openSqliteStore } from '../../packages/sync-server/src/storage/sqlite.js';
import { openSqliteThreadedStore } from '../../packages/sync-server/src/storage/sqlite-threaded.js';
import type { DocStore } from '../../packages/sync-server/src/storage/types.js';

const update = new Uint8Array(1024).map((_, i) => i & 0xff);
const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (n: number): string => `${n.toFixed(2)} ms`;

async function saturated(store: DocStore, writers: number, perWriter: number): Promise<void> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) {
        const t = performance.now();
        await store.append(`ws/bench/customers/c${w}/conv/1`, update);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(`saturated: ${writers} writers x ${perWriter} = ${latencies.length} appends of 1 KB in ${seconds.toFixed(2)} s`);
  console.log(`  ${Math.round(latencies.length / seconds)} appends/s; latency p50 ${ms(pct(latencies, 50))}, p99 ${ms(pct(latencies, 99))}, max ${ms(latencies.at(-1)!)}`);
}

async function paced(store: DocStore, perSecond: number, seconds: number): Promise<void> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const elu0 = performance.eventLoopUtilization();
  delay.enable();
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      const due = Math.min(perSecond * seconds, Math.floor(((performance.now() - started) / 1000) * perSecond));
      for (; sent < due; sent++) {
        const t = performance.now();
        pending.push(store.append(`ws/bench/customers/c${sent % 500}/conv/1`, update).then(() => void latencies.push(performance.now() - t)));
      }
      if (sent >= perSecond * seconds) {
        clearInterval(timer);
        done();
      }
    }, 1);
  });
  await Promise.all(pending);
  delay.disable();
  const elu = performance.eventLoopUtilization(elu0);
  latencies.sort((a, b) => a - b);
  console.log(`paced: ${perSecond} appends/s for ${seconds} s (${latencies.length} appends of 1 KB)`);
  console.log(`  commit latency p50 ${ms(pct(latencies, 50))}, p99 ${ms(pct(latencies, 99))}, max ${ms(latencies.at(-1)!)}`);
  console.log(
    `  event-loop delay p50 ${ms(delay.percentile(50) / 1e6)}, p99 ${ms(delay.percentile(99) / 1e6)}, max ${ms(delay.max / 1e6)}; utilisation ${(elu.utilization * 100).toFixed(1)}%`,
  );
}

const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
const threaded = process.argv.includes('--worker');
const postgresUrl = process.argv.includes('--postgres') ? (process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test') : null;
const pgSchema = `parley_bench_${process.pid}`;
const store = postgresUrl
  ? await openPostgresStore({ url: postgresUrl, schema: pgSchema })
  : threaded
    ? await openSqliteThreadedStore({ dataDir })
    : openSqliteStore({ dataDir });
console.log(postgresUrl ? `Postgres store (schema ${pgSchema})` : `SQLite store ${threaded ? 'in a worker thread' : 'on the event-loop thread'}, synchronous=FULL, WAL`);
try {
  await saturated(store, 200, 100);
  await paced(store, 2000, 5);
} finally {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (postgresUrl) {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${pgSchema}" CASCADE`);
    await client.end();
  }
}
