/**
 * `npm run bench [-- --quick] [--profile] [--only=1,3] [--servers=parley-mux,y-websocket] [--set=idleSockets=3000] [--out=name]`:
 * Parley's relay against the servers people use today, on the same load in one run. Writes
 * bench/results/<name>.{json,md} (default `latest`) and, when workload 1 ran, its chart (latency.svg, or <name>-latency.svg), and prints the table.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { servers, type ServerSpec } from './peers/servers.js';
import { renderMarkdown, renderSvg, type Report } from './report.js';
import type { Context, Sizes, WorkloadResult } from './workloads/context.js';
import { fanoutWorkload } from './workloads/fanout.js';
import { fanInWorkload, memoryWorkload, newDeviceWorkload } from './workloads/state.js';
import { coldStartWorkload, connectionsWorkload, durabilityWorkload } from './workloads/lifecycle.js';
import { widgetWorkload } from './workloads/widget.js';
import { busyConversationWorkload } from './workloads/busy.js';
import { createSharedLoad } from './load/driver.js';
import { profileFiles, renderProfiles, summariseProfile } from './profile.js';

const FULL: Sizes = {
  fanoutConversations: 1000,
  fanoutRate: 1500,
  fanoutSeconds: 10,
  stepSeconds: 4,
  stepFactor: 1.5,
  maxSteps: 6,
  memoryDocs: 300,
  memoryMessages: 500,
  newDeviceMessages: 10_000,
  coldStartDocs: 10_000,
  fanInDocs: 500,
  durabilitySeconds: 5,
  idleSockets: 5000,
  idleSeconds: 70,
  busyRate: 200,
  busySeconds: 5,
};
/** CI's smoke sizes: every row gets a figure in about two minutes; the figures themselves are coarse. */
const QUICK: Sizes = {
  fanoutConversations: 30,
  fanoutRate: 150,
  fanoutSeconds: 1,
  stepSeconds: 1,
  stepFactor: 2,
  maxSteps: 1,
  memoryDocs: 10,
  memoryMessages: 50,
  newDeviceMessages: 500,
  coldStartDocs: 100,
  fanInDocs: 30,
  durabilitySeconds: 1,
  idleSockets: 100,
  idleSeconds: 1,
  busyRate: 100,
  busySeconds: 1,
};

type Workload = (ctx: Context) => Promise<WorkloadResult>;
const workloads: Record<string, Workload> = {
  '1': fanoutWorkload,
  '2': memoryWorkload,
  '3': newDeviceWorkload,
  '4': coldStartWorkload,
  '5': fanInWorkload,
  '6': widgetWorkload,
  '7': durabilityWorkload,
  '8': connectionsWorkload,
  '9': busyConversationWorkload,
};

const FD_HEADROOM = 512;

/** The machine's load while the run ended, so figures from a busy machine say so. */
function loadAverage(): string {
  return `load average ${loadavg().map((n) => n.toFixed(2)).join(', ')} on ${cpus().length} CPUs`;
}

function openFileLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
  const onlyServers = args.find((a) => a.startsWith('--servers='))?.slice(10).split(',');
  // --profile: Parley runs under --cpu-prof (peers/servers.ts); summaries go to results/profile.md (ignored by git).
  const profileDir = args.includes('--profile') ? join(import.meta.dirname, 'results', 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : null;
  if (profileDir) process.env.PARLEY_BENCH_PROFILE_DIR = profileDir;
  const sizes = { ...(quick ? QUICK : FULL) };
  const notes: string[] = [];
  // --set=coldStartDocs=2000,idleSockets=3000: a near-full run when time is short.
  for (const pair of args.find((a) => a.startsWith('--set='))?.slice(6).split(',') ?? []) {
    const [key, value] = pair.split('=');
    if (!key || !(key in sizes) || !Number.isFinite(Number(value))) throw new Error(`--set: unknown size or bad number in ${pair}`);
    sizes[key as keyof Sizes] = Number(value);
    notes.push(`size ${key} set to ${value} for this run`);
  }
  // Each idle socket is one descriptor in the server and one in the load process. Node cannot raise
  // its own limit, so scale down (and say so) when the shell's `ulimit -n` is too low.
  const fdLimit = openFileLimit();
  if (fdLimit !== null && sizes.idleSockets + FD_HEADROOM > fdLimit) {
    const scaled = Math.max(100, fdLimit - FD_HEADROOM);
    notes.push(`ulimit -n is ${fdLimit}: idle sockets scaled from ${sizes.idleSockets} to ${scaled} (run \`ulimit -n ${sizes.idleSockets + FD_HEADROOM}\` first for the full figure)`);
    sizes.idleSockets = scaled;
  }
  const chosen = servers.filter((s) => !onlyServers || onlyServers.includes(s.id));
  const available: ServerSpec[] = [];
  const listed: Report['servers'] = [];
  for (const s of chosen) {
    const why = s.unavailable();
    listed.push({ id: s.id, label: s.label, ...(why ? { unavailable: why } : {}) });
    if (why) console.log(`skipping ${s.label}: ${why}`);
    else available.push(s);
  }
  // --out=full-4-8: a partial run (--only) gets its own file instead of replacing latest.md.
  const outName = args.find((a) => a.startsWith('--out='))?.slice(6) ?? 'latest';
  if (!/^[\w.-]+$/.test(outName)) throw new Error(`--out: a file name without folders, got ${outName}`);
  const sharedLoad = createSharedLoad();
  const ctx: Context = { quick, sizes, servers: available, log: (m) => console.log(m), load: () => sharedLoad.get() };
  const report: Report = {
    startedAt: new Date().toISOString(),
    quick,
    sizes,
    machine: { cpus: cpus().length, node: process.version, platform: `${process.platform} ${process.arch}` },
    servers: listed,
    metrics: [],
    latency: {},
    notes,
  };
  for (const n of notes) console.log(`note: ${n}`);
  report.notes.push(`at the start: ${loadAverage()}`);
  const runStarted = performance.now();
  const timings: string[] = [];
  try {
    for (const [key, run] of Object.entries(workloads)) {
      if (only && !only.includes(key)) continue;
      console.log(`workload ${key}`);
      const t0 = performance.now();
      const result = await run(ctx);
      timings.push(`${key}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      console.log(`  (${timings[timings.length - 1]})`);
      report.metrics.push(...result.metrics);
      report.notes.push(...(result.notes ?? []));
      Object.assign(report.latency, result.latency ?? {});
    }
  } finally {
    await sharedLoad.stop();
  }
  report.notes.push(`wall time per workload (${loadAverage()}): ${timings.join(', ')}; total ${((performance.now() - runStarted) / 1000).toFixed(0)} s`);
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  // Each output has its own chart, so a full run does not redraw the chart latest.md shows.
  const chartFile = outName === 'latest' ? 'latency.svg' : `${outName}-latency.svg`;
  const md = renderMarkdown(report, available, chartFile);
  writeFileSync(join(dir, `${outName}.json`), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(dir, `${outName}.md`), md);
  // The chart belongs to workload 1: a run without it keeps the last one.
  if (Object.keys(report.latency).length) writeFileSync(join(dir, chartFile), renderSvg(report.latency, (id) => chosen.find((s) => s.id === id)?.label ?? id) + '\n');
  console.log('\n' + md);
  if (profileDir) {
    const root = join(import.meta.dirname, '..');
    const profiles = renderProfiles(profileFiles([profileDir]).map((f) => summariseProfile(f, root)), root);
    writeFileSync(join(dir, 'profile.md'), profiles + '\n');
    console.log(`CPU profiles in ${profileDir}; summary in results/profile.md`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
