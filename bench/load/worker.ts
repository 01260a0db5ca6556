/**
 * The load generator's process: runs the jobs the benchmark sends over IPC, one at a time, and
 * answers with their results. Being a separate process keeps its CPU out of the servers' figures
 * and out of the benchmark's own bookkeeping.
 */
import * as jobs from './jobs.js';

type JobName = 'fanout' | 'populate' | 'newDevice' | 'followMany' | 'connectMany' | 'ackedThroughput' | 'closeAll';
export interface JobRequest {
  id: number;
  job: JobName;
  args: unknown;
}
export type JobReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

const table: Record<JobName, (args: never) => Promise<unknown>> = jobs;

process.on('message', (raw: JobRequest) => {
  const run = table[raw.job];
  const reply = (r: JobReply): void => void process.send?.(r);
  if (!run) return reply({ id: raw.id, ok: false, error: `unknown job ${String(raw.job)}` });
  run(raw.args as never).then(
    (result) => reply({ id: raw.id, ok: true, result }),
    (err: unknown) => reply({ id: raw.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
process.send?.({ id: 0, ok: true, result: 'ready' });
