/**
 * The staleness bound with real processes: two `parley serve` relays on shared PostgreSQL and Redis,
 * started with `--reconcile-ms 500`. An update lands in the shared store without any fan-out message
 * (written by this test process straight into Postgres: what a relay that commits and dies before
 * publishing leaves behind). Each relay's periodic check notices the document's stored size moved,
 * reloads it, and its stock y-websocket clients receive the update without reconnecting.
 * Needs PostgreSQL and Redis: skipped with a reason without them, failing when CI is set.
 */
import { describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { openPostgresStore } from '../../packages/sync-server/src/storage/postgres.js';
import { databaseUrl, probePostgres, probeRedis } from '../../packages/sync-server/src/storage/service-probe.js';
import { useRelayPair } from '../helpers/relay-pair.js';
import type { RelayProcess } from '../helpers/relay-process.js';
import { untilDocs as until } from '../helpers/stock-clients.js';

const redis = await probeRedis();
const postgres = await probePostgres();

const DOC = 'ws/acme/customers/c1/conv/unpublished';
const INTERVAL_MS = 500;
const items = (doc: Y.Doc): string[] => doc.getArray<string>('messages').toArray();

describe.skipIf(!redis.available || !postgres.available)('periodic reconciliation between relay processes', () => {
  const suite = useRelayPair('periodic', ['--reconcile-ms', String(INTERVAL_MS), '--no-worker', '--no-push'], 60_000);

  const stockClient = async (relay: RelayProcess, sub: string): Promise<WebsocketProvider> =>
    suite.clients.connect(relay.wsUrl, DOC, await relay.token('agent', 'acme', sub));

  it('an update committed to Postgres without a fan-out message reaches both relays\' clients within the interval', async () => {
    const { a, b, schema } = suite.pair;
    const onA = await stockClient(a, 'a1');
    const onB = await stockClient(b, 'b1');
    onA.doc.getArray<string>('messages').push(['through a relay']);
    await until([onB.doc], () => items(onB.doc).length === 1, 'the normal path to work', 10_000);

    // A third writer commits straight to the shared store and publishes nothing.
    const store = await openPostgresStore({ url: databaseUrl, schema });
    const third = new Y.Doc();
    Y.applyUpdate(third, Y.encodeStateAsUpdate(onA.doc));
    const before = Y.encodeStateVector(third);
    third.getArray<string>('messages').push(['committed, never published']);
    const t0 = performance.now();
    await store.append(DOC, Y.encodeStateAsUpdate(third, before), new Map([[third.clientID, 'agent:third']]));
    await store.close();

    const docs = [onA.doc, onB.doc];
    // The bound: one interval, plus the pass itself (a list query, a load) on a loaded machine.
    await until(docs, () => docs.every((d) => items(d).includes('committed, never published')), 'both relays to deliver the unpublished update', 10 * INTERVAL_MS);
    const ms = Math.round(performance.now() - t0);
    console.log(`periodic reconciliation (--reconcile-ms ${INTERVAL_MS}): both relays' clients had the unpublished update ${ms} ms after its commit`);
    expect(items(onA.doc)).toEqual(items(onB.doc));
    expect(items(onA.doc)).toEqual(['through a relay', 'committed, never published']);
  }, 30_000);
});
