/**
 * CSV export of a report (RFC 4180: CRLF, quotes doubled). Cells that a spreadsheet would run as a
 * formula (=, +, -, @, tab, CR at the start) are prefixed with `'`, because names and team labels
 * come from users.
 */
import type { GroupMetrics, Metrics, Report } from './metrics.js';

const HEADER = [
  'group',
  'key',
  'name',
  'conversations',
  'with_customer_message',
  'unanswered',
  'unanswered_rate',
  'first_response_median_s',
  'first_response_p90_s',
  'resolution_median_s',
  'resolution_p90_s',
  'resolved',
  'csat_average',
  'csat_count',
];

type Cell = string | number | null;

export function reportToCsv(report: Report): string {
  const rows: Cell[][] = [HEADER];
  rows.push(metricRow('total', '', 'All', report.total));
  for (const g of report.perAgent) rows.push(groupRow('agent', g));
  for (const g of report.perTeam) rows.push(groupRow('team', g));
  return toCsv(rows);
}

export function volumeToCsv(report: Report): string {
  return toCsv([['day', 'conversations'], ...report.perDay.map((d) => [d.day, d.conversations])]);
}

export function toCsv(rows: readonly (readonly Cell[])[]): string {
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

function groupRow(group: string, g: GroupMetrics): Cell[] {
  return metricRow(group, g.key, g.name, g.metrics);
}

function metricRow(group: string, key: string, name: string, m: Metrics): Cell[] {
  return [
    group,
    key,
    name,
    m.conversations,
    m.withCustomerMessage,
    m.unanswered.count,
    round(m.unanswered.rate, 4),
    seconds(m.firstResponse.median),
    seconds(m.firstResponse.p90),
    seconds(m.resolution.median),
    seconds(m.resolution.p90),
    m.resolution.count,
    round(m.csat.average, 2),
    m.csat.count,
  ];
}

function seconds(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms / 1000);
}

function round(v: number | null, digits: number): number | null {
  return v === null ? null : Number(v.toFixed(digits));
}

function cell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
