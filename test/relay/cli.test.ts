/**
 * The `parley` command line, spawned for real: help texts, tokens signed with the data folder's
 * secret, agent accounts that can then sign in to a running relay, compaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokens, loadSecret } from '@parley/sync-server';
import { cliPath, repoRoot, startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function parley(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    // PARLEY_SECRET unset: the commands must find the secret in the data folder.
    const { PARLEY_SECRET: _ignored, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cliPath, ...args], { cwd: repoRoot, env: { ...inherited, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Every case spawns node + tsx: seconds each on a busy machine, hence the longer per-test deadline.
describe('parley --help', { timeout: 60_000 }, () => {
  it.each([
    [['--help'], /parley serve .*\n.*parley token/s],
    [['serve', '--help'], /--port .*--host .*--data .*--postgres .*--redis/s],
    [['token', '--help'], /--ws <workspace> --role customer\|agent\|admin\|bot --sub <id> \[--ttl seconds\]/],
    [['agent', '--help'], /parley agent add --ws/],
    [['compact', '--help'], /parley compact/],
    [['export', '--help'], /parley export <document>/],
  ])('parley %j prints usage and exits 0', async (args, pattern) => {
    const run = await parley(args);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(pattern);
  });

  it.each([
    [['token', '--ws', 'acme', '--role', 'agent'], /--sub is required/],
    [['token', '--ws', 'acme', '--role', 'root', '--sub', 'x'], /--role must be one of/],
    [['serve', '--port', 'eighty'], /--port eighty: expected 0-65535/],
    [['serve', '--nope'], /Unknown option '--nope'/],
    [['serve', '--commit-window-ms', 'soon'], /--commit-window-ms soon: expected whole milliseconds/],
  ])('parley %j explains the mistake and exits 2', async (args, pattern) => {
    const run = await parley(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(pattern);
  });

  it('exits 1 for an unknown command', async () => {
    const run = await parley(['frobnicate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/unknown command frobnicate/);
  });
});

describe('parley serve when whoever reads its log goes away', { timeout: 60_000 }, () => {
  it('keeps serving and still shuts down cleanly (a dead log pipe is not a reason to drop customers)', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cliPath, 'serve', '--port', '0', '--data', mkdtempSync(join(tmpdir(), 'parley-pipe-')), '--no-worker', '--no-push', '--commit-window-ms', '20'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const found = /"msg":"listening".*?"url":"([^"]+)"/.exec(out);
        if (found) resolve(found[1]!);
      });
      void exited.then((code) => reject(new Error(`relay exited with ${code} before listening: ${stderr}`)));
    });
    // The log reader dies (a `| head`, a crashed collector): the next line the relay writes hits EPIPE.
    child.stdout.destroy();
    // A line is written for every new customer session, and on shutdown.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ws: 'demo' }) });
      expect(res.status).toBe(201);
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/EPIPE/);
  });
});

describe('parley serve stopped while it starts', { timeout: 60_000 }, () => {
  it('a SIGTERM right after "listening", before the workers are up, is still the graceful stop (exit 0)', async () => {
    // The relay listens before it starts the routing worker and the push notifier; the signal lands
    // in that window, which under load (tsx compiling the worker) lasted long enough to end the
    // relay by Node's default action, with no flush.
    const relay = await startRelayProcess();
    try {
      expect(await relay.stop()).toBe(0);
      expect(relay.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    } finally {
      await relay.kill();
    }
  });
});

describe('parley token / agent add / compact with a running relay', { timeout: 60_000 }, () => {
  let relay: RelayProcess;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    // No PARLEY_SECRET: the relay generates <data>/secret and the commands must agree with it.
    relay = await startRelayProcess({ dataDir, env: { PARLEY_SECRET: '' } });
  });
  afterAll(async () => {
    await relay?.stop();
  });

  it('prints a token the relay accepts, signed with the data folder secret', async () => {
    const run = await parley(['token', '--ws', 'acme', '--role', 'customer', '--sub', 'c7', '--ttl', '120', '--name', 'Ada', '--data', dataDir]);
    expect(run.code).toBe(0);
    const token = run.stdout.trim();
    const principal = await createTokens(loadSecret(dataDir, {}).secret).verify(token);
    expect(principal).toMatchObject({ ws: 'acme', role: 'customer', sub: 'c7', name: 'Ada' });
    expect(principal.expiresAt - Date.now()).toBeLessThanOrEqual(120_000);
    const res = await fetch(`${relay.url}/v1/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });

  it('first start printed a demo admin who can sign in', async () => {
    const line = await relay.waitForLog((l) => l.msg.startsWith('first start'));
    const res = await fetch(`${relay.url}/v1/auth/signin`, { method: 'POST', body: JSON.stringify({ email: line.email, password: line.password }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { role: string; ws: string })).toMatchObject({ role: 'admin', ws: 'demo' });
  });

  it('adds an agent who can sign in to the running relay', async () => {
    const run = await parley(['agent', 'add', '--ws', 'acme', '--email', 'kim@acme.test', '--name', 'Kim', '--role', 'agent', '--data', dataDir]);
    expect(run.code).toBe(0);
    const { password } = JSON.parse(run.stdout) as { password: string };
    const res = await fetch(`${relay.url}/v1/auth/signin`, { method: 'POST', body: JSON.stringify({ email: 'kim@acme.test', password }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { role: string; name: string })).toMatchObject({ role: 'agent', name: 'Kim' });
    const dup = await parley(['agent', 'add', '--ws', 'acme', '--email', 'kim@acme.test', '--name', 'Kim', '--data', dataDir]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/exists/);
  });

  it('adds an agent with --team (repeatable); the teams come back at sign-in', async () => {
    const run = await parley(['agent', 'add', '--ws', 'acme', '--email', 'tea@acme.test', '--name', 'Tea', '--team', 'tier1', '--team', 'sales', '--data', dataDir]);
    expect(run.code).toBe(0);
    const { password, teams } = JSON.parse(run.stdout) as { password: string; teams: string[] };
    expect(teams).toEqual(['sales', 'tier1']);
    const res = await fetch(`${relay.url}/v1/auth/signin`, { method: 'POST', body: JSON.stringify({ email: 'tea@acme.test', password }) });
    expect(((await res.json()) as { teams: string[] }).teams).toEqual(['sales', 'tier1']);
    const bad = await parley(['agent', 'add', '--ws', 'acme', '--email', 'bad@acme.test', '--name', 'Bad', '--team', 'no spaces', '--data', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/team names/);
  });

  it('compacts the store and reports what it did', async () => {
    const run = await parley(['compact', '--data', dataDir]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ documents: expect.any(Number) });
  });
});
