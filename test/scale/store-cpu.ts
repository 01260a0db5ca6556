/**
 * CPU the threaded SQLite store costs per append (both threads: process.cpuUsage counts the worker),
 * at a paced rate shaped like the fan-out benchmark: a few appends per millisecond from a timer,
 * each to one of many documents, each ~300 bytes, each waited for.
 *
 *   node --conditions=source --import tsx test/scale/store-cpu.ts [appends/s] [seconds] [commit window ms]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '../../packages/sync-server/src/storage/memory.js';
import { openSqliteThreadedStore } from '../../packages/sync-server/src/storage/sqlite-threaded.js';

/** The relay thread's own CPU (10 ms ticks), to tell it from the worker's. */
function mainTicks(): number {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

const [rateArg, secondsArg, windowArg] = process.argv.slice(2).map(Number);
const rate = rateArg || 1500;
const seconds = secondsArg || 8;
const dir = mkdtempSync(join(tmpdir(), 'parley-store-cpu-'));
// MEMORY=1: the same harness on the memory store, i.e. what the harness itself costs.
const store = process.env.MEMORY ? createMemoryStore() : await openSqliteThreadedStore({ dataDir: dir, ...(windowArg !== undefined ? { commitWindowMs: windowArg } : {}) });
const update = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);

async function run(total: number): Promise<{ micros: number; appends: number }> {
  const pending: Promise<void>[] = [];
  const latencies: number[] = [];
  const before = process.cpuUsage();
  const main0 = mainTicks();
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((done) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      for (; sent < due; sent++) {
        const t = performance.now();
        const owners = sent < 1000 ? new Map([[sent, 'customer:c']]) : undefined;
        pending.push(store.append(`ws/bench/customers/c${sent % 1000}/conv/1`, update, owners).then(() => void latencies.push(performance.now() - t)));
      }
      if (sent >= total) done();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(pending);
  const used = process.cpuUsage(before);
  latencies.sort((a, b) => a - b);
  const pct = (p: number): string => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(2);
  console.log(`  commit latency p50 ${pct(50)} ms, p99 ${pct(99)} ms`);
  console.log(`  main thread ${(((mainTicks() - main0) * 10_000) / total).toFixed(1)} µs per append`);
  return { micros: used.user + used.system, appends: total };
}

await run(rate); // warm-up
const r = await run(rate * seconds);
console.log(`${r.appends} appends at ${rate}/s, commit window ${windowArg ?? 'default'} ms: ${(r.micros / r.appends).toFixed(1)} µs CPU per append (both threads)`);
await store.close();
rmSync(dir, { recursive: true, force: true });
