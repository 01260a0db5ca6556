/**
 * Tests that need a real Postgres or Redis ask here whether it is reachable. On a developer machine a
 * missing service skips those tests with a printed reason; with `CI` set it fails, because a suite
 * that silently skips in CI proves nothing.
 */
import { Redis } from 'ioredis';
import pg from 'pg';

export class ServiceMissingError extends Error {
  override readonly name = 'ServiceMissingError';
  readonly code = 'SERVICE_MISSING';
}

export interface ServiceStatus {
  available: boolean;
  /** why it is unavailable, printed when tests skip */
  reason: string;
}

export async function probeService(
  service: string,
  url: string,
  probe: (url: string) => Promise<void>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServiceStatus> {
  try {
    await probe(url);
    return { available: true, reason: '' };
  } catch (error) {
    const reason = `${service} at ${redact(url)} is unreachable (${(error as Error).message})`;
    if (env.CI) {
      throw new ServiceMissingError(`${reason}; CI is set, so tests that need ${service} fail instead of skipping`);
    }
    console.warn(`skipping ${service} tests: ${reason}`);
    return { available: false, reason };
  }
}

const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

/** Where tests find Redis: REDIS_URL, else the local default the dev setup and CI both provide. */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Where tests find PostgreSQL: DATABASE_URL, else the local `test` database (trust auth). */
export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Connects and pings once, without retries: a missing Redis answers within the 3 s timeout. */
export function probeRedis(url = redisUrl, env: NodeJS.ProcessEnv = process.env): Promise<ServiceStatus> {
  return probeService(
    'Redis',
    url,
    async (at) => {
      const client = new Redis(at, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await client.connect();
        await client.ping();
      } finally {
        client.disconnect();
      }
    },
    env,
  );
}

export function probePostgres(url = databaseUrl, env: NodeJS.ProcessEnv = process.env): Promise<ServiceStatus> {
  return probeService(
    'PostgreSQL',
    url,
    async (at) => {
      const client = new pg.Client({ connectionString: at, connectionTimeoutMillis: 3000 });
      await client.connect();
      await client.end();
    },
    env,
  );
}

/** Drops a schema a test created for itself, so runs sharing one database leave nothing behind. */
export async function dropSchema(schema: string, url = databaseUrl): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
