/** What every workload gets from the runner, and the shape of the figures it hands back. */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { LoadProcess } from '../load/driver.js';
import type { RunningServer, ServerId, ServerSpec, StartOptions } from '../peers/servers.js';
import type { LatencySummary } from '../load/stats.js';

export interface Sizes {
  fanoutConversations: number;
  fanoutRate: number;
  fanoutSeconds: number;
  stepSeconds: number;
  stepFactor: number;
  maxSteps: number;
  memoryDocs: number;
  memoryMessages: number;
  newDeviceMessages: number;
  coldStartDocs: number;
  fanInDocs: number;
  durabilitySeconds: number;
  idleSockets: number;
  idleSeconds: number;
  /** workload 9's top rate into one conversation (it also runs a tenth and a half of it) */
  busyRate: number;
  busySeconds: number;
}

export interface Context {
  quick: boolean;
  sizes: Sizes;
  servers: readonly ServerSpec[];
  log(message: string): void;
  /** the run's load-generator process (shared; replaced if it died) */
  load(): Promise<LoadProcess>;
}

/** One figure for every server; a server without a figure has a note saying why. */
export interface Metric {
  workload: string;
  label: string;
  unit: string;
  better: 'lower' | 'higher';
  values: Partial<Record<ServerId, number>>;
  notes: Partial<Record<ServerId, string>>;
  /** the target as the README states it, shown beside the figures */
  target?: string;
}

export interface WorkloadResult {
  metrics: Metric[];
  /** latency distributions for the chart, per server */
  latency?: Partial<Record<ServerId, LatencySummary>>;
  /** lines printed under the table (references that are not measured, caveats of this run) */
  notes?: string[];
}

export function metric(workload: string, label: string, unit: string, better: Metric['better'], target?: string): Metric {
  return { workload, label, unit, better, values: {}, notes: {}, ...(target ? { target } : {}) };
}

/**
 * Starts `spec` on a fresh data directory (or `keepDir`) and hands it the run's load process; always
 * closes what the load process still holds and stops the server.
 */
export async function withServer<T>(ctx: Context, spec: ServerSpec, fn: (server: RunningServer, load: LoadProcess, dataDir: string) => Promise<T>, keepDir?: string, start?: StartOptions): Promise<T> {
  const dataDir = keepDir ?? mkdtempSync(join(tmpdir(), `parley-bench-${spec.id}-`));
  const server = await spec.start(dataDir, start);
  let load: LoadProcess | null = null;
  try {
    load = await ctx.load();
    return await fn(server, load, dataDir);
  } finally {
    if (load?.alive) await load.run('closeAll', undefined).catch(() => undefined);
    await server.stop();
    if (!keepDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs `fn` for every server; a failure becomes that server's note instead of ending the run. */
export async function forEachServer(ctx: Context, metrics: Metric[], servers: readonly ServerSpec[], fn: (spec: ServerSpec) => Promise<void>): Promise<void> {
  for (const spec of ctx.servers) {
    if (!servers.includes(spec)) continue;
    try {
      await fn(spec);
    } catch (err) {
      const why = `failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      ctx.log(`  ${spec.id}: ${why}`);
      for (const m of metrics) if (m.values[spec.id] === undefined) m.notes[spec.id] ??= why;
    }
  }
}

export function noteAll(metrics: Metric[], id: ServerId, note: string): void {
  for (const m of metrics) m.notes[id] = note;
}
