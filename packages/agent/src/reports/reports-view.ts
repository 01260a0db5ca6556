import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { buildReport, reportToCsv, volumeToCsv, type ConversationSnapshot, type GroupMetrics, type Metrics, type Report } from '@parley/core';
import { theme } from '../ui/theme.js';
import { formatWait } from '../inbox/inbox-query.js';
import './bar-chart.js';

const DAY = 86_400_000;
type PeriodPreset = '7' | '30' | '90';

/**
 * Reports over the conversations this device holds, computed with core's `buildReport`: nothing
 * is asked of a server. SVG charts, per-agent and per-team tables, CSV download.
 */
@customElement('pa-reports')
export class ReportsView extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: block; padding: 16px 24px; }
      .controls { display: flex; gap: 12px; align-items: end; margin-bottom: 14px; flex-wrap: wrap; }
      .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 10px; margin-bottom: 14px; }
      .card { background: var(--pa-panel); border: 1px solid var(--pa-border); border-radius: var(--pa-radius); padding: 10px 14px; }
      .card b { display: block; font-size: 22px; font-variant-numeric: tabular-nums; }
      .card span { color: var(--pa-muted); font-size: 12px; }
      section { background: var(--pa-panel); border: 1px solid var(--pa-border); border-radius: var(--pa-radius); padding: 12px 16px; margin-bottom: 14px; }
      h2 { font-size: 15px; margin: 0 0 8px; }
      table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
      th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--pa-border); }
      th { font-size: 12px; color: var(--pa-muted); font-weight: 600; }
      .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 14px; }
    `,
  ];

  @property({ attribute: false }) conversations: readonly ConversationSnapshot[] = [];
  /** how many conversations the directory lists, to say how complete the local data is */
  @property({ type: Number }) listed = 0;
  @state() private preset: PeriodPreset = '30';
  @property({ type: Number }) now = Date.now();

  get report(): Report {
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const end = new Date(this.now);
    end.setHours(24, 0, 0, 0);
    return buildReport(this.conversations, { from: end.getTime() - Number(this.preset) * DAY, to: end.getTime(), timeZone });
  }

  private download(name: string, text: string): void {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  private groupTable(title: string, groups: readonly GroupMetrics[]): TemplateResult {
    return html`<section><h2>${title}</h2><table>
      <thead><tr><th>Name</th><th>Conversations</th><th>First response (median / p90)</th><th>Resolution (median / p90)</th><th>CSAT</th><th>Unanswered</th></tr></thead>
      <tbody>${groups.map((g) => html`<tr data-group=${g.key}><td>${g.name}</td>${row(g.metrics)}</tr>`)}</tbody></table></section>`;
  }

  override render(): TemplateResult {
    const r = this.report;
    const t = r.total;
    const stamp = new Date(this.now).toISOString().slice(0, 10);
    return html`
      <div class="controls">
        <label>Period <select aria-label="Period" @change=${(e: Event) => (this.preset = (e.target as HTMLSelectElement).value as PeriodPreset)}>
          <option value="7" ?selected=${this.preset === '7'}>Last 7 days</option><option value="30" ?selected=${this.preset === '30'}>Last 30 days</option><option value="90" ?selected=${this.preset === '90'}>Last 90 days</option>
        </select></label>
        <button data-action="csv" @click=${() => this.download(`parley-report-${stamp}.csv`, reportToCsv(r))}>Export CSV</button>
        <button data-action="csv-volume" @click=${() => this.download(`parley-volume-${stamp}.csv`, volumeToCsv(r))}>Export daily volume</button>
        <span class="muted">From ${this.conversations.length} of ${this.listed} conversations held on this device.</span>
      </div>
      <div class="cards">
        <div class="card" data-metric="volume"><b>${t.conversations}</b><span>conversations</span></div>
        <div class="card" data-metric="frt"><b>${ms(t.firstResponse.median)}</b><span>first response, median (p90 ${ms(t.firstResponse.p90)})</span></div>
        <div class="card" data-metric="resolution"><b>${ms(t.resolution.median)}</b><span>resolution, median (p90 ${ms(t.resolution.p90)})</span></div>
        <div class="card" data-metric="csat"><b>${t.csat.average === null ? '—' : t.csat.average.toFixed(1)}</b><span>CSAT average of ${t.csat.count}</span></div>
        <div class="card" data-metric="unanswered"><b>${pct(t.unanswered.rate)}</b><span>unanswered (${t.unanswered.count})</span></div>
      </div>
      <div class="charts">
        <section><h2>Conversations per day</h2><pa-bar-chart label="Conversations per day" .data=${r.perDay.map((d) => ({ label: d.day.slice(5), value: d.conversations }))}></pa-bar-chart></section>
        <section><h2>First response median per agent (minutes)</h2><pa-bar-chart label="First response median per agent" unit=" min" .data=${r.perAgent.map((g) => ({ label: g.name, value: (g.metrics.firstResponse.median ?? 0) / 60_000 }))}></pa-bar-chart></section>
      </div>
      ${this.groupTable('Per agent', r.perAgent)}
      ${this.groupTable('Per team', r.perTeam)}
    `;
  }
}

function row(m: Metrics): TemplateResult {
  return html`<td>${m.conversations}</td><td>${ms(m.firstResponse.median)} / ${ms(m.firstResponse.p90)}</td><td>${ms(m.resolution.median)} / ${ms(m.resolution.p90)}</td>
    <td>${m.csat.average === null ? '—' : `${m.csat.average.toFixed(1)} (${m.csat.count})`}</td><td>${pct(m.unanswered.rate)}</td>`;
}

const ms = (v: number | null): string => (v === null ? '—' : formatWait(v));
const pct = (v: number | null): string => (v === null ? '—' : `${Math.round(v * 100)}%`);

declare global {
  interface HTMLElementTagNameMap {
    'pa-reports': ReportsView;
  }
}
