/**
 * CPU per append of the SQLite engine alone (no worker, no timers): batches of `k` appends to
 * distinct documents, each batch one commit, as the worker runs them. Separates the per-commit cost
 * from the per-append cost, so a change to sqlite-engine.ts can be judged without the relay's noise.
 *
 *   node --conditions=source --import tsx test/scale/engine-cpu.ts [appends] [batch sizes, comma-separated]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEngine, type AppendRecord } from '../../packages/sync-server/src/storage/sqlite-engine.js';

const [appendsArg, sizesArg] = process.argv.slice(2);
const appends = Number(appendsArg) || 6000;
const sizes = (sizesArg ?? '1,4,16').split(',').map(Number);
const update = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);

for (const k of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-engine-cpu-'));
  const engine = openSqliteEngine(join(dir, 'p.sqlite'));
  let n = 0;
  const batch = (): AppendRecord[] => Array.from({ length: k }, () => ({ name: `ws/bench/customers/c${n++ % 1000}/conv/1`, update: update.slice() }));
  for (let i = 0; i < 1000 / k; i++) engine.commit(batch(), Date.now()); // every document exists, JIT warm
  const before = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < appends / k; i++) engine.commit(batch(), Date.now());
  const used = process.cpuUsage(before);
  const ms = performance.now() - t0;
  console.log(`batch ${k}: ${((used.user + used.system) / appends).toFixed(1)} µs CPU per append (user ${(used.user / appends).toFixed(1)}, system ${(used.system / appends).toFixed(1)}), ${((ms * 1000) / appends).toFixed(1)} µs wall`);
  engine.close();
  rmSync(dir, { recursive: true, force: true });
}
