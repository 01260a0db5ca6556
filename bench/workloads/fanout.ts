/**
 * Workload 1: customers send, agents receive. Delivery latency, server CPU per message, and the
 * sustainable rate (the highest rate whose p99 stays under 100 ms with nothing lost).
 */
import { conversationName } from '../peers/servers.js';
import { forEachServer, metric, withServer, type Context, type WorkloadResult } from './context.js';
import type { FanoutPhase } from '../load/jobs.js';
import type { LatencySummary } from '../load/stats.js';

const P99_LIMIT_MS = 100;
/** Above this share of one core the load generator, not the server, may be the limit. */
const LOAD_BOUND_SHARE = 0.9;
const AGENT_DOCS_PER_SOCKET = 25;

export async function fanoutWorkload(ctx: Context): Promise<WorkloadResult> {
  const { sizes } = ctx;
  const w = '1 fan-out';
  const p50 = metric(w, `p50 latency at ${sizes.fanoutRate} msg/s`, 'ms', 'lower');
  const p99 = metric(w, `p99 latency at ${sizes.fanoutRate} msg/s`, 'ms', 'lower');
  const max = metric(w, `max latency at ${sizes.fanoutRate} msg/s`, 'ms', 'lower');
  const delivered = metric(w, 'delivered / sent', '%', 'higher');
  const cpu = metric(w, 'server CPU per message', 'µs', 'lower', '≤ 0.5× y-websocket, ≤ 1.2× raw');
  // The same CPU split by thread: where a server's JavaScript runs, and everything else (Parley's
  // SQLite store thread with its fsyncs, V8's GC helpers). Shows what durability costs apart.
  const loopCpu = metric(w, 'of which on the event-loop thread', 'µs', 'lower');
  const otherCpu = metric(w, 'of which on other threads (storage, GC helpers)', 'µs', 'lower');
  const sustainable = metric(w, 'sustainable rate (p99 < 100 ms)', 'msg/s', 'higher', '≥ 1.5× y-websocket');
  const sockets = metric(w, 'sockets (customers + agents)', '', 'lower');
  const metrics = [p50, p99, max, delivered, cpu, loopCpu, otherCpu, sustainable, sockets];
  const latency: WorkloadResult['latency'] = {};
  const docs = Array.from({ length: sizes.fanoutConversations }, (_, i) => conversationName(i, 'fanout'));

  await forEachServer(ctx, metrics, ctx.servers, async (spec) => {
    ctx.log(`  ${spec.id}`);
    await withServer(ctx, spec, async (server, load) => {
      const phases: FanoutPhase[] = [{ rate: sizes.fanoutRate, seconds: sizes.fanoutSeconds }];
      for (let k = 1; k <= sizes.maxSteps; k++) phases.push({ rate: Math.round(sizes.fanoutRate * sizes.stepFactor ** k), seconds: sizes.stepSeconds });
      const run = await load.run('fanout', { endpoint: server.endpoint, serverPid: server.pid, docs, phases, agentDocsPerSocket: AGENT_DOCS_PER_SOCKET, stopAboveP99Ms: P99_LIMIT_MS });
      const base = run.phases[0]!;
      p50.values[spec.id] = base.latency.p50;
      p99.values[spec.id] = base.latency.p99;
      max.values[spec.id] = base.latency.max;
      delivered.values[spec.id] = (100 * base.received) / base.sent;
      cpu.values[spec.id] = (base.serverCpuMs * 1000) / base.sent;
      loopCpu.values[spec.id] = (base.serverMainThreadCpuMs * 1000) / base.sent;
      otherCpu.values[spec.id] = ((base.serverCpuMs - base.serverMainThreadCpuMs) * 1000) / base.sent;
      sockets.values[spec.id] = run.customerSockets + run.agentSockets;
      latency[spec.id] = base.latency;
      const ok = run.phases.filter((p) => p.latency.p99 < P99_LIMIT_MS && p.received === p.sent);
      const best = ok.length ? Math.max(...ok.map((p) => p.rate)) : 0;
      sustainable.values[spec.id] = best;
      const top = run.phases[run.phases.length - 1]!;
      const loadShare = top.loadCpuMs / top.wallMs;
      if (best === top.rate) sustainable.notes[spec.id] = `≥ (ladder ended${loadShare > LOAD_BOUND_SHARE ? ', load generator saturated' : ''})`;
      else if (loadShare > LOAD_BOUND_SHARE) sustainable.notes[spec.id] = 'load generator near saturation';
      for (const p of run.phases) ctx.log(`    ${p.rate} msg/s: p50 ${p.latency.p50} p99 ${p.latency.p99} ms, ${p.received}/${p.sent}, server ${((p.serverCpuMs * 1000) / p.sent).toFixed(1)} µs/msg (event loop ${((p.serverMainThreadCpuMs * 1000) / p.sent).toFixed(1)}), load ${((100 * p.loadCpuMs) / p.wallMs).toFixed(0)}% cpu`);
    });
  });
  return { metrics, latency: latency as Partial<Record<string, LatencySummary>> };
}
