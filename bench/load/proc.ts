/**
 * What the kernel says a process costs: CPU time from /proc/<pid>/stat and resident memory from
 * /proc/<pid>/status. Read from outside the process, so every server is measured the same way and
 * none of them needs instrumenting.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ is 100 on every Linux this runs on; /proc/<pid>/stat counts in these ticks. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) the process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  return ticksMs(`/proc/${pid}/stat`);
}

/**
 * CPU time of the process's first thread only: a Node server's event loop, where its JavaScript
 * runs. The rest of `cpuMs` is other threads: worker threads (Parley's SQLite store), V8's
 * garbage-collection helpers, libuv's pool.
 */
export function mainThreadCpuMs(pid: number): number {
  return ticksMs(`/proc/${pid}/task/${pid}/stat`);
}

function ticksMs(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8');
  // The command name (field 2) may contain spaces; the fields we want follow its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** Runs `work` and returns how much CPU `pid` used meanwhile, with the wall time. */
export async function measureCpu<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; cpuMs: number; wallMs: number }> {
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  const result = await work();
  return { result, cpuMs: cpuMs(pid) - cpu0, wallMs: performance.now() - t0 };
}
