/**
 * Workloads 2, 3 and 5: what holding conversations costs and how fast history reaches a device.
 * 2 memory: D conversations of M messages held open; server RSS growth per conversation.
 * 3 new device: a fresh client syncs a large conversation; time and bytes received.
 * 5 agent fan-in: one agent follows many conversations; sockets, time to sync all, server RSS growth.
 */
import { rssBytes } from '../load/proc.js';
import { conversationName } from '../peers/servers.js';
import { forEachServer, metric, noteAll, withServer, type Context, type WorkloadResult } from './context.js';

const NEW_DEVICE_RUNS = 3;
const FAN_IN_MESSAGES = 20;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function memoryWorkload(ctx: Context): Promise<WorkloadResult> {
  const { memoryDocs: D, memoryMessages: M } = ctx.sizes;
  const w = '2 memory';
  const perDoc = metric(w, `RSS growth per open conversation (${D} × ${M} msgs)`, 'KB', 'lower', '≤ 0.5× y-websocket');
  const vsEncoded = metric(w, 'RSS growth / encoded size', '×', 'lower');
  const metrics = [perDoc, vsEncoded];
  const docs = Array.from({ length: D }, (_, i) => conversationName(i, 'memory'));
  for (const s of ctx.servers) if (!s.keepsState) noteAll(metrics, s.id, 'n/a (holds no documents)');
  await forEachServer(ctx, metrics, ctx.servers.filter((s) => s.keepsState), async (spec) => {
    await withServer(ctx, spec, async (server, load) => {
      const before = rssBytes(server.pid);
      const { encodedBytesPerDoc } = await load.run('populate', { endpoint: server.endpoint, docs, messages: M, hold: true });
      const grown = (rssBytes(server.pid) - before) / D;
      await load.run('closeAll', undefined);
      perDoc.values[spec.id] = grown / 1024;
      vsEncoded.values[spec.id] = grown / encodedBytesPerDoc;
      ctx.log(`  ${spec.id}: ${(grown / 1024).toFixed(1)} KB per conversation, encoded ${(encodedBytesPerDoc / 1024).toFixed(1)} KB`);
    });
  });
  return { metrics };
}

export async function newDeviceWorkload(ctx: Context): Promise<WorkloadResult> {
  const N = ctx.sizes.newDeviceMessages;
  const w = '3 new device';
  const time = metric(w, `sync ${N.toLocaleString('en-US')} messages (median of ${NEW_DEVICE_RUNS})`, 'ms', 'lower', 'no slower than Hocuspocus');
  const bytes = metric(w, 'bytes received by the new device', 'KB', 'lower', '≤ 0.3× Hocuspocus');
  const metrics = [time, bytes];
  const doc = conversationName(0, 'history');
  await forEachServer(ctx, metrics, ctx.servers, async (spec) => {
    await withServer(ctx, spec, async (server, load) => {
      // The writer stays online (the customer's phone); on the raw relay it is what answers the newcomer.
      await load.run('populate', { endpoint: server.endpoint, docs: [doc], messages: N, hold: true });
      const runs = [];
      for (let i = 0; i < NEW_DEVICE_RUNS; i++) runs.push(await load.run('newDevice', { endpoint: server.endpoint, doc, expectMessages: N }));
      await load.run('closeAll', undefined);
      time.values[spec.id] = median(runs.map((r) => r.ms));
      bytes.values[spec.id] = median(runs.map((r) => r.bytes)) / 1024;
      if (!spec.keepsState) time.notes[spec.id] = 'served by the writer peer';
      ctx.log(`  ${spec.id}: ${time.values[spec.id]!.toFixed(0)} ms (runs ${runs.map((r) => r.ms.toFixed(0)).join(", ")}), ${bytes.values[spec.id]!.toFixed(0)} KB`);
    });
  });
  return { metrics };
}

export async function fanInWorkload(ctx: Context): Promise<WorkloadResult> {
  const N = ctx.sizes.fanInDocs;
  const w = '5 agent fan-in';
  const sockets = metric(w, `sockets for one agent following ${N} conversations`, '', 'lower', 'one socket');
  const time = metric(w, `time to sync all ${N}`, 'ms', 'lower');
  const memory = metric(w, 'server RSS growth while followed', 'MB', 'lower');
  const metrics = [sockets, time, memory];
  const docs = Array.from({ length: N }, (_, i) => conversationName(i, 'fanin'));
  for (const s of ctx.servers) if (!s.keepsState) noteAll(metrics, s.id, 'n/a (holds no history)');
  await forEachServer(ctx, metrics, ctx.servers.filter((s) => s.keepsState), async (spec) => {
    await withServer(ctx, spec, async (server, load) => {
      await load.run('populate', { endpoint: server.endpoint, docs, messages: FAN_IN_MESSAGES, hold: false });
      const before = rssBytes(server.pid);
      // History that never comes is reported, not awaited for long: quick runs give it 10 s.
      const r = await load.run('followMany', { endpoint: server.endpoint, docs, perSocket: N, expectMessages: FAN_IN_MESSAGES, historyWaitMs: ctx.quick ? 10_000 : 60_000 });
      memory.values[spec.id] = (rssBytes(server.pid) - before) / 2 ** 20;
      await load.run('closeAll', undefined);
      sockets.values[spec.id] = r.sockets;
      time.values[spec.id] = r.ms;
      if (r.missing > 0) time.notes[spec.id] = `history never arrived in ${r.missing} of ${N} conversations`;
      ctx.log(`  ${spec.id}: ${r.sockets} sockets, ${r.ms.toFixed(0)} ms`);
    });
  });
  return { metrics };
}
