import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from './server.js';
import { createLogger } from './log.js';

let dir: string;
let server: RunningServer;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-server-'));
  server = await startServer({ port: 0, dataDir: dir, headersTimeoutMs: 500, log: createLogger({ write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }) });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('startServer', () => {
  it('logs listening with the real port, then the first-start admin', () => {
    const i = lines.findIndex((l) => l.msg === 'listening');
    expect(lines[i]).toMatchObject({ port: server.port, url: server.url });
    expect(server.port).toBeGreaterThan(0);
    expect(lines[i + 1]).toMatchObject({ ws: 'demo', email: 'admin@demo.local', password: expect.any(String) });
  });

  it('generates a secret file readable by its owner only', () => {
    expect(lines.some((l) => l.msg === 'generated a token secret')).toBe(true);
    expect(readFileSync(join(dir, 'secret'), 'utf8').trim().length).toBeGreaterThanOrEqual(32);
  });

  it('cuts off a client that never finishes its headers (pre-auth time limit)', async () => {
    const socket = connect(server.port, '127.0.0.1');
    socket.write('GET /mux HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    const response = await new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve(data));
    });
    expect(response).toMatch(/^HTTP\/1.1 408/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('says so when the port is taken, and leaves the data folder usable', async () => {
    await expect(startServer({ port: server.port, dataDir: dir, log: createLogger({ write: () => {} }) })).rejects.toThrow(/already in use/);
  });

  it('refuses oversized headers before any authentication', async () => {
    const res = await fetch(`${server.url}/healthz`, { headers: { 'x-pad': 'x'.repeat(20_000) } });
    expect(res.status).toBe(431);
  });
});
