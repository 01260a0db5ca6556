/**
 * A PostgreSQL schema of its own for one test cluster: every store opened on it shares the schema
 * (as relays sharing a database do), and `destroy()` closes them and drops it. The name carries the
 * pid and a random part, so parallel runs on one database never meet. Test-only: not in dist.
 */
import { openPostgresStore } from './postgres.js';
import { databaseUrl, dropSchema } from './service-probe.js';
import type { DocStore } from './types.js';

export interface ScratchSchema {
  readonly schema: string;
  /** Opens another store (another "node") on the schema. */
  open(): Promise<DocStore>;
  /** Closes every store opened here (errors ignored: a test may have closed one) and drops the schema. */
  destroy(): Promise<void>;
}

export function scratchSchema(tag: string, url = databaseUrl): ScratchSchema {
  const schema = `parley_${tag}_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const opened: DocStore[] = [];
  return {
    schema,
    async open() {
      const store = await openPostgresStore({ url, schema });
      opened.push(store);
      return store;
    },
    async destroy() {
      await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
      await dropSchema(schema, url);
    },
  };
}
