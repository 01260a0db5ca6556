/**
 * Starts a server as its own process and learns its port from the JSON line it prints on
 * `"msg":"listening"` (Parley's structured log, and the peers' launchers in this folder).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  /** performance.now() when the process was spawned, and when it said it was listening */
  readonly spawnedAt: number;
  readonly listeningAt: number;
  /** stderr and non-JSON stdout, for error messages */
  output(): string;
  stop(): Promise<void>;
}

export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
}

export async function spawnServer(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ServerProcess> {
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not print a listening line within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new ServerStartError(`${command} ${args.join(' ')}: ${why}\n${log}`));
    };
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code) => fail(`exited with ${code}`));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const port = listeningPort(line);
      if (port === null) {
        log = (log + line + '\n').slice(-4000);
        return;
      }
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(port);
    });
  });
  const listeningAt = performance.now();
  return {
    pid: child.pid!,
    port,
    spawnedAt,
    listeningAt,
    output: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function listeningPort(line: string): number | null {
  if (!line.startsWith('{')) return null;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (entry.msg !== 'listening') return null;
    if (typeof entry.port === 'number') return entry.port;
    const url = typeof entry.url === 'string' ? entry.url : typeof entry.address === 'string' ? entry.address : '';
    const m = /:(\d+)\/?$/.exec(url);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Polls `url` until it answers 200 (no event exists for "a process became ready"). */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return performance.now();
    } catch {
      // not accepting connections yet
    }
    if (performance.now() > deadline) throw new ServerStartError(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
