/**
 * A relay whose Redis subscription drops misses what other relays publish meanwhile (pub/sub is
 * at-most-once). Once it has resubscribed, `startServer` has the relay reload the documents it
 * holds from the shared Postgres store and forward what it missed: its clients converge without
 * reconnecting. Two relays in this process on real Postgres and Redis; relay B reaches Redis through
 * a TCP gate so its reconnect can be held back until the update is certainly published, and its
 * subscriber connection is killed with CLIENT KILL from an admin connection.
 * Periodic reconciliation is off here: only the resubscribe can deliver the update.
 * Needs PostgreSQL and Redis: skipped with a reason without them, failing when CI is set.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { createLogger, createTokens, startServer, type RunningServer } from '@parley/sync-server';
import { databaseUrl, dropSchema, probePostgres, probeRedis, redisUrl } from '../../packages/sync-server/src/storage/service-probe.js';
import { stockClients, untilDocs } from '../helpers/stock-clients.js';

const redis = await probeRedis();
const postgres = await probePostgres();

const DOC = 'ws/acme/customers/c1/conv/resubscribe';
const items = (doc: Y.Doc): string[] => doc.getArray<string>('messages').toArray();

/** A TCP forwarder to Redis that can hold new connections (bytes wait) until released. */
async function tcpGate(target: URL): Promise<{ url: string; upstreamPorts(): number[]; hold(): void; release(): void; close(): Promise<void> }> {
  let held = false;
  let waiting: (() => void)[] = [];
  const upstreams = new Set<Socket>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((down) => {
    down.pause();
    sockets.add(down);
    const go = (): void => {
      const up = tcpConnect(Number(target.port || 6379), target.hostname);
      upstreams.add(up);
      sockets.add(up);
      up.once('connect', () => {
        down.pipe(up);
        up.pipe(down);
        down.resume();
      });
      const end = (): void => {
        up.destroy();
        down.destroy();
        upstreams.delete(up);
      };
      up.on('error', end).on('close', end);
      down.on('error', end).on('close', end);
    };
    if (held) waiting.push(go);
    else go();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    upstreamPorts: () => [...upstreams].map((s) => s.localPort).filter((p): p is number => p !== undefined),
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      const go = waiting;
      waiting = [];
      for (const g of go) g();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(!redis.available || !postgres.available)('a relay whose Redis connection was killed catches up from Postgres', () => {
  const schema = `parley_resub_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const prefix = `parley-resub:${randomUUID()}:`;
  const secret = randomUUID() + randomUUID();
  const tokens = createTokens(secret);
  const logsOfB: Record<string, unknown>[] = [];
  let logged = (): void => undefined;
  let gate: Awaited<ReturnType<typeof tcpGate>>;
  let a: RunningServer;
  let b: RunningServer;
  const admin = new Redis(redisUrl, { lazyConnect: true });
  const clients = stockClients();

  const serve = (redisAt: string, write?: (line: string) => void): Promise<RunningServer> =>
    startServer({
      port: 0,
      dataDir: mkdtempSync(join(tmpdir(), 'parley-resub-')),
      secret,
      postgres: databaseUrl,
      postgresSchema: schema,
      redis: redisAt,
      redisPrefix: prefix,
      reconcileIntervalMs: 0,
      worker: false,
      push: false,
      log: createLogger({ write: write ?? (() => undefined) }),
    });

  beforeAll(async () => {
    gate = await tcpGate(new URL(redisUrl));
    a = await serve(redisUrl);
    b = await serve(gate.url, (line) => {
      logsOfB.push(JSON.parse(line) as Record<string, unknown>);
      logged();
    });
    await admin.connect();
  });
  afterAll(async () => {
    clients.destroyAll();
    await Promise.all([a?.close(), b?.close()]);
    await gate?.close();
    admin.disconnect();
    await dropSchema(schema);
  });

  const stockClient = async (server: RunningServer, sub: string): Promise<WebsocketProvider> =>
    clients.connect(server.url.replace('http', 'ws'), DOC, await tokens.sign({ ws: 'acme', role: 'agent', sub }, 600));
  const until = (doc: Y.Doc, done: () => boolean, what: string): Promise<void> => untilDocs([doc], done, what, 15_000);
  const logLine = (match: (l: Record<string, unknown>) => boolean, what: string, ms = 15_000): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for log line: ${what}`)), ms);
      logged = () => {
        const line = logsOfB.find(match);
        if (!line) return;
        clearTimeout(timer);
        logged = () => undefined;
        resolve(line);
      };
      logged();
    });

  it("after resubscribing, B's clients receive what A committed while B's subscription was dead", async () => {
    const writer = await stockClient(a, 'writer');
    const follower = await stockClient(b, 'follower');
    writer.doc.getArray<string>('messages').push(['before the cut']);
    await until(follower.doc, () => items(follower.doc).length === 1, 'the first message on B');

    // Hears what Redis delivers on the document's channel: proof the publish happened while B was away.
    const observer = new Redis(redisUrl);
    const published = new Promise<void>((resolve) => observer.on('messageBuffer', () => resolve()));
    await observer.subscribe(`${prefix}parley:doc:${DOC}`);

    gate.hold();
    const subscriber = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'))
      .split('\n')
      .find((line) => gate.upstreamPorts().some((port) => line.includes(`addr=127.0.0.1:${port} `)) && line.includes('name=parley-fanout-sub-'));
    const id = /\bid=(\d+)/.exec(subscriber ?? '')?.[1];
    expect(id, 'relay B has a subscriber connection through the gate').toBeDefined();
    expect(Number(await admin.client('KILL', 'ID', id!))).toBe(1);

    writer.doc.getArray<string>('messages').push(['while B was cut off']);
    await published;
    observer.disconnect();
    expect(items(follower.doc)).toEqual(['before the cut']);

    const t0 = performance.now();
    gate.release();
    await until(follower.doc, () => items(follower.doc).length === 2, 'the missed message on B after resubscribe');
    console.log(`redis reconnect: B's client caught up ${Math.round(performance.now() - t0)} ms after the gate opened`);
    expect(items(follower.doc)).toEqual(items(writer.doc));
    const report = await logLine((l) => l.msg === 'reconciliation (refresh)', 'the refresh after resubscribing');
    expect(report).toMatchObject({ caughtUp: 1, failed: 0 });
    expect(logsOfB.some((l) => l.msg === 'redis reconnected and resubscribed')).toBe(true);

    // The subscription works again: the next message comes the usual way.
    writer.doc.getArray<string>('messages').push(['after the reconnect']);
    await until(follower.doc, () => items(follower.doc).length === 3, 'a live message after the reconnect');
  }, 30_000);
});
