/**
 * Turns the figures into what people read: a markdown table with Parley/peer ratios and targets,
 * the same data as JSON, and a hand-written SVG of the fan-out latency distributions.
 */
import type { Metric, WorkloadResult } from './workloads/context.js';
import type { ServerId, ServerSpec } from './peers/servers.js';
import type { LatencySummary } from './load/stats.js';

export interface Report {
  startedAt: string;
  quick: boolean;
  sizes: object;
  machine: { cpus: number; node: string; platform: string };
  servers: { id: ServerId; label: string; unavailable?: string }[];
  metrics: Metric[];
  latency: Partial<Record<ServerId, LatencySummary>>;
  notes: string[];
}

/** Parley's figure against each peer: the primary Parley column is mux when it ran, else /sync. */
const PEERS: ServerId[] = ['y-websocket', 'y-websocket-leveldb', 'hocuspocus-sqlite', 'raw'];

function parleyValue(m: Metric): number | undefined {
  return m.values['parley-mux'] ?? m.values['parley-sync'];
}

export function ratio(m: Metric, peer: ServerId): number | undefined {
  const p = parleyValue(m);
  const q = m.values[peer];
  if (p === undefined || q === undefined || q === 0) return undefined;
  return p / q;
}

const fmt = (n: number): string => {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1000) return Math.round(n).toLocaleString('en-US');
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  return n.toFixed(2);
};

export function renderMarkdown(report: Report, specs: readonly ServerSpec[], chartFile = 'latency.svg'): string {
  const cols = specs.map((s) => s.id);
  const label = (id: ServerId): string => specs.find((s) => s.id === id)?.label ?? id;
  const head = ['workload', 'figure', ...cols.map(label), ...PEERS.map((p) => `Parley / ${label(p)}`), 'target'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const m of report.metrics) {
    const cells = cols.map((id) => {
      const v = m.values[id];
      const note = m.notes[id];
      if (v === undefined) return note ?? 'n/a';
      return note ? `${fmt(v)} (${note})` : fmt(v);
    });
    const ratios = PEERS.map((p) => {
      const r = ratio(m, p);
      return r === undefined ? '' : `${fmt(r)}×`;
    });
    lines.push(`| ${m.workload} | ${m.label}${m.unit ? ` (${m.unit})` : ''} | ${[...cells, ...ratios, m.target ?? ''].join(' | ')} |`);
  }
  const missing = report.servers.filter((s) => s.unavailable).map((s) => `- ${s.label}: ${s.unavailable}`);
  return [
    `# Parley benchmark${report.quick ? ' (quick)' : ''}`,
    '',
    `${report.startedAt}, ${report.machine.cpus} CPUs, Node ${report.machine.node}. Servers and load generator share the machine: read the ratios, not the absolute times.`,
    '',
    ...lines,
    '',
    ...(missing.length ? ['Not run:', ...missing, ''] : []),
    ...report.notes.map((n) => `- ${n}`),
    '',
    // Only a run with workload 1 has distributions (and has just written the chart).
    ...(Object.keys(report.latency).length ? [`![fan-out latency distribution](${chartFile})`, ''] : []),
  ].join('\n');
}

/** Step plots of the latency distributions (share of messages per bucket), one line per server. */
export function renderSvg(latency: Report['latency'], labels: (id: ServerId) => string): string {
  const width = 640;
  const height = 300;
  const pad = { left: 48, right: 170, top: 20, bottom: 36 };
  const palette = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#57606a'];
  const entries = Object.entries(latency) as [ServerId, LatencySummary][];
  const buckets = entries[0]?.[1].histogram.counts.length ?? 1;
  const bucketMs = entries[0]?.[1].histogram.bucketMs ?? 1;
  const shares = entries.map(([, s]) => s.histogram.counts.map((c) => c / Math.max(1, s.count)));
  const top = Math.max(0.01, ...shares.flat());
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (i: number): number => pad.left + (i / buckets) * plotW;
  const y = (v: number): number => pad.top + plotH - (v / top) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${pad.left + plotW}" y2="${pad.top + plotH}" stroke="#333"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${pad.top + plotH}" stroke="#333"/>`,
  ];
  for (let ms = 0; ms <= bucketMs * (buckets - 1); ms += 20) {
    out.push(`<text x="${x(ms / bucketMs)}" y="${pad.top + plotH + 14}" text-anchor="middle">${ms}</text>`);
  }
  out.push(`<text x="${x(buckets - 0.5)}" y="${pad.top + plotH + 14}" text-anchor="middle">more</text>`);
  out.push(`<text x="${pad.left + plotW / 2}" y="${height - 6}" text-anchor="middle">delivery latency (ms)</text>`);
  out.push(`<text x="12" y="${pad.top + plotH / 2}" transform="rotate(-90 12 ${pad.top + plotH / 2})" text-anchor="middle">share of messages</text>`);
  entries.forEach(([id, summary], k) => {
    const colour = palette[k % palette.length]!;
    const pts = shares[k]!.flatMap((v, i) => [`${x(i).toFixed(1)},${y(v).toFixed(1)}`, `${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`]);
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    const ly = pad.top + 14 + k * 16;
    out.push(`<line x1="${width - pad.right + 10}" y1="${ly - 4}" x2="${width - pad.right + 26}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<text x="${width - pad.right + 30}" y="${ly}">${escapeXml(labels(id))} p99 ${fmt(summary.p99)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

const escapeXml = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

export type { WorkloadResult };
