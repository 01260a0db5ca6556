/**
 * Workload 9: one busy conversation. An agent sends into one conversation at rising rates (a burst of
 * replies, a device flushing its offline outbox) and its customer times each delivery. Workload 1
 * spreads its load over many conversations, so it cannot show what one conversation sustains, and
 * its readers are staff, who get updates before their commit; a customer gets them after it.
 */
import { conversationName } from '../peers/servers.js';
import { forEachServer, metric, withServer, type Context, type Metric, type WorkloadResult } from './context.js';

export async function busyConversationWorkload(ctx: Context): Promise<WorkloadResult> {
  const { sizes } = ctx;
  const w = '9 busy conversation';
  const rates = [Math.round(sizes.busyRate / 10), Math.round(sizes.busyRate / 2), sizes.busyRate];
  const rows = rates.map((rate) => ({
    rate,
    p50: metric(w, `p50 agent → customer at ${rate} msg/s`, 'ms', 'lower'),
    p99: metric(w, `p99 agent → customer at ${rate} msg/s`, 'ms', 'lower', rate === sizes.busyRate ? 'at or below y-websocket' : undefined),
  }));
  const delivered = metric(w, 'delivered / sent (all rates)', '%', 'higher');
  const metrics: Metric[] = [...rows.flatMap((r) => [r.p50, r.p99]), delivered];
  const doc = conversationName(0, 'busy');

  await forEachServer(ctx, metrics, ctx.servers, async (spec) => {
    ctx.log(`  ${spec.id}`);
    await withServer(ctx, spec, async (server, load) => {
      const run = await load.run('fanout', {
        endpoint: server.endpoint,
        readerEndpoint: server.customerEndpoint('c0'),
        serverPid: server.pid,
        docs: [doc],
        phases: rates.map((rate) => ({ rate, seconds: sizes.busySeconds })),
        agentDocsPerSocket: 1,
      });
      let sent = 0;
      let received = 0;
      run.phases.forEach((p, i) => {
        rows[i]!.p50.values[spec.id] = p.latency.p50;
        rows[i]!.p99.values[spec.id] = p.latency.p99;
        sent += p.sent;
        received += p.received;
        ctx.log(`    ${p.rate} msg/s: p50 ${p.latency.p50} p99 ${p.latency.p99} ms, ${p.received}/${p.sent}`);
      });
      delivered.values[spec.id] = (100 * received) / sent;
    });
  });
  return { metrics };
}
