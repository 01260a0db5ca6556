/**
 * Two `parley serve` processes sharing one PostgreSQL schema and one Redis channel prefix, as two
 * nodes of a scaled-out deployment would. The schema and prefix are fresh per call, so parallel
 * runs on one database and one Redis never see each other; `stop()` drops the schema.
 * Callers probe the services first (probeRedis/probePostgres) and skip or fail as those say.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { databaseUrl, dropSchema, redisUrl } from '../../packages/sync-server/src/storage/service-probe.js';
import { startRelayProcess, type RelayProcess } from './relay-process.js';
import { stockClients, type StockClients } from './stock-clients.js';

export interface RelayPair {
  readonly a: RelayProcess;
  readonly b: RelayProcess;
  readonly schema: string;
  /** Stops both relays (a killed one too) and drops the schema. */
  stop(): Promise<void>;
}

/** `tag` names the schema and prefix (for finding leftovers); `args` are extra `parley serve` flags. */
export async function startRelayPair(tag: string, args: string[] = []): Promise<RelayPair> {
  const schema = `parley_${tag}_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const shared = ['--postgres', databaseUrl, '--postgres-schema', schema, '--redis', redisUrl, '--redis-prefix', `parley-${tag}:${randomUUID()}:`, ...args];
  const env = { PARLEY_SECRET: randomUUID() + randomUUID() };
  // Sequential: both would otherwise race to create the schema.
  const a = await startRelayProcess({ args: shared, env });
  const b = await startRelayProcess({ args: shared, env }).catch(async (error: unknown) => {
    await a.stop();
    await dropSchema(schema);
    throw error;
  });
  return {
    a,
    b,
    schema,
    async stop() {
      await Promise.all([a.stop(), b.stop()]);
      await dropSchema(schema);
    },
  };
}

export interface RelayPairSuite {
  /** the running pair (set once beforeAll has run) */
  readonly pair: RelayPair;
  /** stock y-websocket clients, destroyed before the relays stop */
  readonly clients: StockClients;
}

/**
 * Registers beforeAll/afterAll in the calling describe block: a relay pair started before its tests
 * and, after them, its stock clients destroyed, the relays stopped and the schema dropped.
 */
export function useRelayPair(tag: string, args: string[] = [], startTimeoutMs?: number): RelayPairSuite {
  let pair: RelayPair | undefined;
  const clients = stockClients();
  beforeAll(async () => {
    pair = await startRelayPair(tag, args);
  }, startTimeoutMs);
  afterAll(async () => {
    clients.destroyAll();
    await pair?.stop();
  });
  return {
    get pair() {
      if (!pair) throw new Error('the relay pair is started in beforeAll: use it inside tests');
      return pair;
    },
    clients,
  };
}
