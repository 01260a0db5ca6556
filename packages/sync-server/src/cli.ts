#!/usr/bin/env node
/**
 * The `parley` command. Its flags are a contract: scripts, tests (test/helpers/relay-process.ts)
 * and the README rely on them, so change them only additively.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolve, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { Role } from '@parley/core';
import { createLogger, type LogLevel } from './log.js';
import { loadSecret } from './auth/secret.js';
import { createTokens, DEFAULT_TTL_SECONDS, ROLES } from './auth/tokens.js';
import { HttpError } from './http/errors.js';
// The relay, the stores and yjs are imported by the commands that use them, so that `--help` and
// `token` start in a fraction of the time.

type Options = NonNullable<ParseArgsConfig['options']>;

const dataOption: Options = { data: { type: 'string', default: './data' } };
const storageOptions: Options = { postgres: { type: 'string' }, 'postgres-schema': { type: 'string' }, redis: { type: 'string' }, 'redis-prefix': { type: 'string' } };

interface Command {
  usage: string;
  options: Options;
  positionals?: number;
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number | void>;
}

/** A failure the user can fix; printed as one line without a stack trace. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

const commands: Record<string, Command> = {
  serve: {
    usage: `parley serve [--port 8787] [--host 127.0.0.1] [--data ./data] [--postgres url] [--redis url] [--commit-window-ms 20] [--heartbeat-ms 30000] [--no-worker] [--no-push] [--no-ws-deflate]

Runs the relay, the HTTP API, the agent app (/agent/), the widget (/widget.js) and the demo page (/).
  --port       TCP port; 0 picks a free one (the "listening" log line says which)
  --host       interface to bind (default 127.0.0.1; 0.0.0.0 for all)
  --data       folder for the SQLite store, secret, accounts and attachments
  --postgres   store documents in Postgres (postgres://user@host:5432/db) instead of SQLite
  --redis      share documents with other relays through Redis (redis://host:6379)
  --postgres-schema  schema for Parley's tables (default parley)
  --redis-prefix     prefix of Parley's Redis channels (default parley:)
  --reconcile-ms     with --redis: compare held documents with the store this often (default 15000; 0 = off)
  --commit-window-ms SQLite: least ms between back-to-back commits (default 20; it delays acks, not
                     deliveries: README, Performance)
  --no-worker  do not start the routing / off-hours worker (see src/worker/README.md)
  --no-push    no Web Push for customers (no /v1/push routes, no notifier)
  --heartbeat-ms   ping every websocket this often; one that answers nothing for a whole interval is
                   terminated (default 30000; 0 = off)
  --no-ws-deflate  never compress websocket frames (default: permessage-deflate for frames over 1 KB when the client offers it)
  --unsafe-ack-before-commit  BENCHMARK ONLY: ack updates before they are committed (breaks [P7]; logs a warning)
Environment: PARLEY_SECRET signs tokens (default: generated into <data>/secret);
             PARLEY_SECRET_PREVIOUS: comma-separated secrets being rotated out (their tokens still verify);
             PARLEY_LOG_LEVEL debug|info|warn|error (default info);
             PARLEY_VAPID_PUBLIC_KEY/PRIVATE_KEY/SUBJECT for Web Push (default: generated into <data>/vapid.json).
Logs are JSON lines on stdout. SIGTERM/SIGINT: stop accepting, flush, exit 0.`,
    options: { port: { type: 'string', default: '8787' }, host: { type: 'string', default: '127.0.0.1' }, 'no-worker': { type: 'boolean', default: false }, 'no-push': { type: 'boolean', default: false }, 'no-ws-deflate': { type: 'boolean', default: false }, 'unsafe-ack-before-commit': { type: 'boolean', default: false }, 'reconcile-ms': { type: 'string' }, 'heartbeat-ms': { type: 'string' }, 'commit-window-ms': { type: 'string' }, ...dataOption, ...storageOptions },
    async run(v) {
      const level = process.env.PARLEY_LOG_LEVEL ?? 'info';
      if (!isLogLevel(level)) throw new UsageError(`PARLEY_LOG_LEVEL must be debug, info, warn or error`);
      const log = createLogger({ level });
      // Listened for before the relay starts: it answers as soon as it listens, a while before its
      // workers are up and startServer returns, and a SIGTERM in that window (a test done early, an
      // orchestrator's quick stop) must still mean the graceful stop, not Node's default death.
      const signalled = new Promise<NodeJS.Signals>((done) => {
        const first = (signal: NodeJS.Signals): void => {
          process.off('SIGTERM', first);
          process.off('SIGINT', first);
          // A second signal means "now": exit without waiting for the flush.
          process.once('SIGTERM', () => process.exit(1));
          process.once('SIGINT', () => process.exit(1));
          done(signal);
        };
        process.on('SIGTERM', first);
        process.on('SIGINT', first);
      });
      const { startServer } = await import('./server.js');
      const server = await startServer({
        port: port(v.port as string),
        host: v.host as string,
        dataDir: v.data as string,
        ...(v.postgres ? { postgres: v.postgres as string } : {}),
        ...(v['postgres-schema'] ? { postgresSchema: v['postgres-schema'] as string } : {}),
        ...(v.redis ? { redis: v.redis as string } : {}),
        ...(v['redis-prefix'] ? { redisPrefix: v['redis-prefix'] as string } : {}),
        ...(v['reconcile-ms'] !== undefined ? { reconcileIntervalMs: milliseconds('reconcile-ms', v['reconcile-ms'] as string) } : {}),
        ...(v['heartbeat-ms'] !== undefined ? { heartbeatMs: milliseconds('heartbeat-ms', v['heartbeat-ms'] as string) } : {}),
        ...(v['commit-window-ms'] !== undefined ? { commitWindowMs: commitWindow(v['commit-window-ms'] as string) } : {}),
        worker: v['no-worker'] !== true,
        push: v['no-push'] !== true,
        ...(v['no-ws-deflate'] === true ? { wsDeflate: false } : {}),
        ...(v['unsafe-ack-before-commit'] === true ? { unsafeAckBeforeCommit: true } : {}),
        log,
      });
      log.info('shutting down', { signal: await signalled });
      try {
        await server.close();
      } catch (err) {
        log.error('shutdown failed', { err });
        return 1;
      }
      return 0;
    },
  },

  token: {
    usage: `parley token --ws <workspace> --role customer|agent|admin|bot --sub <id> [--ttl seconds] [--name n] [--grant prefix=r|rw ...] [--data ./data]

Prints a token signed with the same secret as \`parley serve\` on this data folder (or PARLEY_SECRET).
Host sites use this, or the same HS256 signing in their backend, to identify logged-in customers.`,
    options: { ws: { type: 'string' }, role: { type: 'string' }, sub: { type: 'string' }, ttl: { type: 'string' }, name: { type: 'string' }, grant: { type: 'string', multiple: true }, ...dataOption },
    async run(v) {
      const role = required(v, 'role') as Role;
      if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      const ttl = v.ttl === undefined ? DEFAULT_TTL_SECONDS[role] : Number(v.ttl);
      if (!Number.isFinite(ttl) || ttl <= 0) throw new UsageError('--ttl is a positive number of seconds');
      const grants = ((v.grant as unknown as string[] | undefined) ?? []).map((g) => {
        const m = /^(.+)=(r|rw)$/.exec(g);
        if (!m) throw new UsageError(`--grant ${g}: expected prefix=r or prefix=rw`);
        return { prefix: m[1]!, access: m[2] as 'r' | 'rw' };
      });
      const tokens = createTokens(loadSecret(resolve(v.data as string)).secret);
      const token = await tokens.sign({ ws: required(v, 'ws'), role, sub: required(v, 'sub'), ...(v.name ? { name: v.name as string } : {}), ...(grants.length ? { grants } : {}) }, ttl).catch((err: Error) => {
        throw new UsageError(err.message);
      });
      process.stdout.write(token + '\n');
    },
  },

  agent: {
    usage: `parley agent add --ws <workspace> --email <email> --name <name> --role agent|admin [--team t ...] [--password p] [--data ./data]

Creates an agent or admin account (and the workspace if new). Without --password one is generated and printed once.
--team (repeatable) makes them a member of that team, e.g. --team tier1 --team sales; admins change teams later in the app.`,
    options: { ws: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'agent' }, password: { type: 'string' }, team: { type: 'string', multiple: true }, ...dataOption },
    positionals: 1,
    async run(v, positionals) {
      if (positionals[0] !== 'add') throw new UsageError('usage: parley agent add …');
      const role = v.role as string;
      if (role !== 'agent' && role !== 'admin') throw new UsageError('--role must be agent or admin');
      const [{ openAccountsDb }, { createAccounts }] = await Promise.all([import('./accounts/db.js'), import('./accounts/accounts.js')]);
      const db = openAccountsDb(join(resolve(v.data as string), 'accounts.sqlite'));
      try {
        const { account, password } = await createAccounts(db).add({
          ws: required(v, 'ws'),
          email: required(v, 'email'),
          name: required(v, 'name'),
          role,
          // parseArgs gives a list for `multiple` options; the shared values type does not say so.
          teams: (v.team as unknown as string[] | undefined) ?? [],
          ...(v.password ? { password: v.password as string } : {}),
        });
        process.stdout.write(JSON.stringify({ id: account.id, ws: account.ws, email: account.email, role: account.role, teams: account.teams, ...(v.password ? {} : { password }) }) + '\n');
      } finally {
        db.close();
      }
    },
  },

  compact: {
    usage: `parley compact [--data ./data] [--postgres url [--postgres-schema s]] [--prefix ws/]

Merges every document's update log into one update (safe while the relay runs).`,
    options: { ...dataOption, postgres: { type: 'string' }, 'postgres-schema': { type: 'string' }, prefix: { type: 'string', default: 'ws/' } },
    async run(v) {
      const { openStores } = await import('./server.js');
      const { store } = await openStores(storageFlags(v), resolve(v.data as string));
      try {
        const docs = await store.list(v.prefix as string);
        let before = 0;
        for (const d of docs) {
          before += d.bytes;
          await store.compact(d.name);
        }
        const after = (await store.list(v.prefix as string)).reduce((n, d) => n + d.bytes, 0);
        process.stdout.write(JSON.stringify({ documents: docs.length, bytesBefore: before, bytesAfter: after }) + '\n');
      } finally {
        await store.close();
      }
    },
  },

  export: {
    usage: `parley export <document> [--out file] [--data ./data] [--postgres url [--postgres-schema s]]

Writes the document's merged Yjs update (V1) to --out, or to stdout. Load it with Y.applyUpdate.`,
    options: { ...dataOption, postgres: { type: 'string' }, 'postgres-schema': { type: 'string' }, out: { type: 'string' } },
    positionals: 1,
    async run(v, positionals) {
      const name = positionals[0];
      if (!name) throw new UsageError('usage: parley export <document>');
      const [{ openStores }, Y] = await Promise.all([import('./server.js'), import('yjs')]);
      const { store } = await openStores(storageFlags(v), resolve(v.data as string));
      try {
        const stored = await store.load(name);
        if (!stored) throw new UsageError(`no document ${name}`);
        const merged = Y.mergeUpdates(stored.updates);
        if (v.out) writeFileSync(v.out as string, merged);
        else process.stdout.write(merged);
      } finally {
        await store.close();
      }
    },
  },
};

const overview = `parley: offline-first customer messaging relay

Commands:
  parley serve      run the relay, API, agent app and demo page
  parley token      print a signed token
  parley agent add  create an agent or admin account
  parley compact    merge every document's update log
  parley export     write a document's merged update

Run \`parley <command> --help\` for its flags.`;

function storageFlags(v: Record<string, unknown>): { postgres?: string; postgresSchema?: string } {
  return {
    ...(typeof v.postgres === 'string' ? { postgres: v.postgres } : {}),
    ...(typeof v['postgres-schema'] === 'string' ? { postgresSchema: v['postgres-schema'] } : {}),
  };
}

const isLogLevel = (s: string): s is LogLevel => s === 'debug' || s === 'info' || s === 'warn' || s === 'error';

function required(v: Record<string, unknown>, name: string): string {
  const value = v[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function commitWindow(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new UsageError(`--commit-window-ms ${value}: expected whole milliseconds from 0 to 1000`);
  return n;
}

function milliseconds(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} ${value}: expected a whole number of milliseconds (0 = off)`);
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port ${value}: expected 0-65535`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview + '\n');
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`parley: unknown command ${name}\n\n${overview}\n`);
    return 1;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if (values.help) {
      process.stdout.write(command.usage + '\n');
      return 0;
    }
    if (positionals.length > (command.positionals ?? 0)) throw new UsageError(`unexpected argument ${positionals[command.positionals ?? 0]}`);
    return (await command.run(values as Record<string, string | boolean | undefined>, positionals)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof HttpError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`parley ${name}: ${(err as Error).message}\n\n${command.usage}\n`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // serve resolves after a graceful shutdown; other commands after their work: exit either way,
    // so an open handle cannot keep a finished command alive.
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`parley: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
