/**
 * Two real relay processes started with `--postgres` and `--redis` share documents: a client on
 * each converges, and the second relay still serves everything after the first is killed.
 * Needs PostgreSQL and Redis: skipped with a reason on a laptop without them, failing when CI is set.
 */
import { describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import { probePostgres, probeRedis } from '../../packages/sync-server/src/storage/service-probe.js';
import { useRelayPair } from '../helpers/relay-pair.js';
import type { RelayProcess } from '../helpers/relay-process.js';
import { untilDocs } from '../helpers/stock-clients.js';

const redis = await probeRedis();
const postgres = await probePostgres();

describe.skipIf(!redis.available || !postgres.available)('several relays with --postgres and --redis', () => {
  const suite = useRelayPair('cli');

  const connect = async (relay: RelayProcess, name: string, sub: string): Promise<WebsocketProvider> =>
    suite.clients.connect(relay.wsUrl, name, await relay.token('agent', 'acme', sub));
  const length = (p: WebsocketProvider, n: number): Promise<void> =>
    untilDocs([p.doc], () => p.doc.getArray('messages').length === n, `${n} items`, 10_000);

  it('logs the chosen storage on listening', () => {
    const { a, schema } = suite.pair;
    expect(a.logs.find((l) => l.msg === 'listening')?.storage).toMatch(new RegExp(`^postgres .* schema ${schema}, redis fan-out$`));
  });

  it('clients on different relays converge, and the survivor keeps serving after kill -9', async () => {
    const name = 'ws/acme/customers/c1/conv/shared';
    const { a, b } = suite.pair;
    const onA = await connect(a, name, 'a1');
    const onB = await connect(b, name, 'a2');
    onA.doc.getArray<string>('messages').push(['via relay A']);
    await length(onB, 1);
    onB.doc.getArray<string>('messages').push(['via relay B']);
    await length(onA, 2);
    await a.kill();
    const late = await connect(b, name, 'a3');
    await length(late, 2);
    expect(late.doc.getArray('messages').toArray().sort()).toEqual(['via relay A', 'via relay B']);
  });
});
