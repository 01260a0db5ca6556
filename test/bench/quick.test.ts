/**
 * Keeps the benchmark from rotting: `npm run bench -- --quick` runs end to end in a child process
 * and every workload row carries a figure (or a stated reason) for every server that could run.
 * No timing is asserted: the machine is shared and the figures are for people to read. It writes
 * `results/quick.*` (git-ignored), so a test run leaves the committed `latest.*` alone.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const WORKLOADS = ['1 fan-out', '2 memory', '3 new device', '4 cold start', '5 agent fan-in', '6 widget', '7 durability cost', '8 connections', '9 busy conversation'];

interface Report {
  servers: { id: string; unavailable?: string }[];
  metrics: { workload: string; label: string; values: Record<string, number>; notes: Record<string, string> }[];
}

describe('bench --quick', () => {
  it('runs every workload against every available server and writes the report', { timeout: 8 * 60_000 }, async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'bench', 'run.ts'), '--quick', '--out=quick'], { cwd: root, maxBuffer: 1 << 24, timeout: 7 * 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`)) : resolve(stdout),
      );
    });
    const report = JSON.parse(readFileSync(join(root, 'bench', 'results', 'quick.json'), 'utf8')) as Report;
    const ran = report.servers.filter((s) => !s.unavailable).map((s) => s.id);
    expect(ran).toEqual(expect.arrayContaining(['parley-mux', 'parley-sync', 'y-websocket', 'y-websocket-leveldb', 'hocuspocus-sqlite', 'raw']));
    expect(new Set(report.metrics.map((m) => m.workload))).toEqual(new Set(WORKLOADS));
    for (const m of report.metrics) {
      for (const id of ran) {
        const value = m.values[id];
        const note = m.notes[id] ?? '';
        // A figure, or an explicit "n/a (why)"; a crashed measurement ("failed: ...") fails the test.
        if (value === undefined) expect(note, `${m.workload} / ${m.label} / ${id}`).toMatch(/^n\/a \(/);
        else expect(Number.isFinite(value), `${m.workload} / ${m.label} / ${id}: ${value}`).toBe(true);
        expect(note, `${m.workload} / ${m.label} / ${id}`).not.toMatch(/^failed/);
      }
    }
    // The fan-out must really have delivered through Parley: a figure a user would notice.
    const delivered = report.metrics.find((m) => m.label === 'delivered / sent');
    expect(delivered?.values['parley-mux']).toBe(100);
    // ...and to a customer, whose token gets an agent's updates only after their commit.
    const toCustomer = report.metrics.find((m) => m.workload === '9 busy conversation' && m.label.startsWith('delivered'));
    expect(toCustomer?.values['parley-mux']).toBe(100);
    // Durability is compared with the relay's benchmark-only unsafe mode, both measured.
    const durable = report.metrics.filter((m) => m.workload === '7 durability cost' && m.label.startsWith('acked throughput'));
    expect(durable.map((m) => m.label)).toEqual([expect.stringContaining('ack after commit'), expect.stringContaining('unsafe ack before commit')]);
    for (const m of durable) expect(m.values['parley-mux']).toBeGreaterThan(0);
    // The widget rows come from a real browser load: the launcher appeared and the first open stayed in budget.
    const widget = (start: string) => report.metrics.find((m) => m.workload === '6 widget' && m.label.startsWith(start))?.values['parley-mux'];
    expect(widget('script tag → launcher visible')).toBeGreaterThan(0);
    expect(widget('first open')).toBeGreaterThan(widget('/widget.js')!);
    expect(widget('first open')).toBeLessThan(70);
    expect(out).toContain('| 1 fan-out |');
  });
});
