/**
 * Starts the real `parley serve` command as a child process, for integration tests that need a
 * relay over the network: kill -9, restart on the same data, several relays at once.
 *
 *   const relay = await startRelayProcess();
 *   const token = await relay.token('customer', 'acme', 'c1');
 *   new WebSocket(`${relay.wsUrl}/mux?token=${token}`)
 *   await relay.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Role } from '@parley/core';
import { createTokens, loadSecret, type TokenRequest } from '@parley/sync-server';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const cliPath = join(repoRoot, 'packages', 'sync-server', 'src', 'cli.ts');

export interface RelayProcessOptions {
  /** reuse a data folder (e.g. from a stopped relay); a fresh temp folder by default */
  dataDir?: string;
  /** extra environment; PARLEY_SECRET is set by the helper unless given here ('' = let the relay use `<data>/secret`) */
  env?: Record<string, string>;
  /** extra `parley serve` arguments, e.g. ['--postgres', url, '--redis', url] */
  args?: string[];
  /** how long to wait for the `listening` line (default 30 s: tsx compiles on first start) */
  startTimeoutMs?: number;
}

export interface LogLine {
  msg: string;
  level: string;
  [field: string]: unknown;
}

export interface RelayProcess {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** ws://127.0.0.1:<port> */
  readonly wsUrl: string;
  readonly port: number;
  readonly dataDir: string;
  readonly secret: string;
  readonly pid: number;
  /** JSON log lines printed so far (since the last (re)start) */
  readonly logs: readonly LogLine[];
  /** A token signed with this relay's secret. */
  token(role: Role, ws: string, sub: string, extra?: { name?: string; grants?: TokenRequest['grants']; ttlSeconds?: number }): Promise<string>;
  /** Resolves with the first log line (past or future) matching `predicate`. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Stops (gracefully) if running, then starts again on the same data folder and port. */
  restart(): Promise<void>;
}

export async function startRelayProcess(options: RelayProcessOptions = {}): Promise<RelayProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'parley-relay-'));
  let secret = options.env?.PARLEY_SECRET ?? randomBytes(32).toString('base64url');
  let child: ChildProcess;
  let port = 0;
  let logs: LogLine[] = [];
  let exited: Promise<number | null>;
  let expectedSignal: NodeJS.Signals | undefined;
  let waiters: { predicate: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  const launch = async (listenPort: number): Promise<void> => {
    logs = [];
    waiters = [];
    expectedSignal = undefined;
    let stderr = '';
    child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cliPath, 'serve', '--port', String(listenPort), '--data', dataDir, ...(options.args ?? [])], {
      cwd: repoRoot,
      env: { ...process.env, PARLEY_SECRET: secret, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = child;
    exited = new Promise((done) =>
      proc.once('exit', (code, signal) => {
        // The relay handles SIGTERM itself, so an end by any signal but the SIGKILL sent here is a fault
        // (a signal before its handler, SIGABRT, SIGSEGV): say which, with its last words.
        if (signal !== null && signal !== expectedSignal) console.error(`relay ${proc.pid} ended by ${signal} after ${JSON.stringify(logs.slice(-20).map((l) => l.msg))}\n--- stderr ---\n${stderr}`);
        done(code);
      }),
    );
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8000);
    });
    createInterface({ input: proc.stdout! }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text, level: 'raw' };
      }
      logs.push(line);
      for (const w of waiters.filter((w) => w.predicate(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    });
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const listening = await Promise.race([
      waitFor((l) => l.msg === 'listening'),
      exited.then((code) => new Error(`relay exited with ${code} before listening`)),
      new Promise<Error>((done) => setTimeout(() => done(new Error(`relay did not log "listening" within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    if (listening instanceof Error) {
      expectedSignal = 'SIGKILL';
      proc.kill('SIGKILL');
      throw new Error(`${listening.message}\n--- stderr ---\n${stderr}\n--- stdout ---\n${logs.map((l) => JSON.stringify(l)).join('\n')}`);
    }
    port = listening.port as number;
  };

  const waitFor = (predicate: (l: LogLine) => boolean): Promise<LogLine> => {
    const seen = logs.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolveLine) => waiters.push({ predicate, resolve: resolveLine }));
  };

  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  await launch(0);
  // Without PARLEY_SECRET the relay generated (or reused) `<data>/secret`; sign with that one.
  if (secret === '') secret = loadSecret(dataDir, {}).secret;
  const tokens = createTokens(secret);

  const relay: RelayProcess = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get wsUrl() {
      return `ws://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dataDir,
    get secret() {
      return secret;
    },
    get pid() {
      return child.pid!;
    },
    get logs() {
      return logs;
    },
    token: (role, ws, sub, extra = {}) =>
      tokens.sign({ ws, role, sub, ...(extra.name ? { name: extra.name } : {}), ...(extra.grants ? { grants: extra.grants } : {}) }, extra.ttlSeconds ?? 3600),
    async waitForLog(predicate, timeoutMs = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          waitFor(predicate),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      if (!running()) return exited;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (running()) {
        expectedSignal = 'SIGKILL';
        child.kill('SIGKILL');
      }
      await exited;
    },
    async restart() {
      await relay.stop();
      await launch(port);
    },
  };
  return relay;
}
