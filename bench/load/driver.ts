/** The benchmark's handle on a load-generator process (bench/load/worker.ts). */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { JobReply, JobRequest } from './worker.js';
import type * as jobs from './jobs.js';

type Jobs = typeof jobs;
export interface LoadProcess {
  readonly pid: number;
  /** false once the process has exited (crashed or stopped) */
  readonly alive: boolean;
  run<K extends keyof Jobs>(job: K, args: Parameters<Jobs[K]>[0]): Promise<Awaited<ReturnType<Jobs[K]>>>;
  stop(): Promise<void>;
}

export async function startLoad(): Promise<LoadProcess> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'worker.ts'), [], {
    execArgv: ['--conditions=source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load process exited with ${code} before it was ready`)));
    child.on('message', (reply: JobReply) => {
      if (reply.id === 0) return resolve();
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if (!waiting) return;
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new Error(reply.error));
    });
  });
  child.on('exit', (code) => {
    for (const w of pending.values()) w.reject(new Error(`load process exited with ${code}`));
    pending.clear();
  });
  await ready;
  return {
    pid: child.pid!,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    run(job, args) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, job, args } satisfies JobRequest);
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * One load process for a whole run: starting one costs seconds (tsx compiles the load code), and a
 * run has dozens of server starts. Jobs leave nothing behind (`closeAll` after each server), so
 * reusing it changes no figure; a process that died is replaced on the next `get`.
 */
export function createSharedLoad(): { get(): Promise<LoadProcess>; stop(): Promise<void> } {
  let current: Promise<LoadProcess> | null = null;
  return {
    async get() {
      const live = current && (await current.catch(() => null));
      if (live?.alive) return live;
      current = startLoad();
      return current;
    },
    async stop() {
      const live = current && (await current.catch(() => null));
      current = null;
      await live?.stop();
    },
  };
}
