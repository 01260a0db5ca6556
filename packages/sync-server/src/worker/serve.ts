/**
 * The routing worker inside `parley serve`: one worker per workspace, each a bot client of this
 * very relay over a real socket (so it is held to the same access rules as any peer), with a
 * token minted from the server's secret for every connection.
 */
import { join } from 'node:path';
import { DEFAULT_TTL_SECONDS, type Tokens } from '../auth/tokens.js';
import type { Grant } from '../auth/principal.js';
import type { Logger } from '../log.js';
import { createWorker, DEFAULT_BOT, type Worker } from './worker.js';

/** What the worker may touch: conversations and their internal twins; settings and the directory to read. */
export function workerGrants(ws: string): Grant[] {
  return [
    { prefix: `ws/${ws}/customers/`, access: 'rw' },
    { prefix: `ws/${ws}/internal/`, access: 'rw' },
    { prefix: `ws/${ws}/settings`, access: 'r' },
    { prefix: `ws/${ws}/directory`, access: 'r' },
  ];
}

export interface ServedWorkersOptions {
  /** this relay's websocket origin, e.g. ws://127.0.0.1:8787 */
  url: string;
  tokens: Tokens;
  workspaces: readonly string[];
  /** replicas go to `<dataDir>/worker/<ws>`, so a restart syncs only what changed */
  dataDir?: string;
  log: Logger;
}

export interface ServedWorkers {
  readonly workers: ReadonlyMap<string, Worker>;
  /** Starts the worker of a workspace created after start; a workspace that has one keeps it. */
  add(ws: string): void;
  stop(): Promise<void>;
}

export function startServedWorkers(options: ServedWorkersOptions): ServedWorkers {
  const workers = new Map<string, Worker>();
  let stopped = false;
  const add = (ws: string): void => {
    if (stopped || workers.has(ws)) return;
    const log = options.log.child({ component: 'worker', ws });
    log.info('routing worker starting', { url: options.url });
    workers.set(
      ws,
      createWorker({
        relayUrl: options.url,
        ws,
        tokenProvider: () => options.tokens.sign({ ws, role: 'bot', sub: DEFAULT_BOT.id, name: DEFAULT_BOT.name, grants: workerGrants(ws) }, DEFAULT_TTL_SECONDS.bot),
        ...(options.dataDir ? { replicaDir: join(options.dataDir, 'worker', ws) } : {}),
        log: (level, msg, fields) => log[level](msg, fields),
      }),
    );
  };
  for (const ws of options.workspaces) add(ws);
  return {
    workers,
    add,
    stop: async () => {
      stopped = true;
      await Promise.all([...workers.values()].map((w) => w.stop()));
    },
  };
}
