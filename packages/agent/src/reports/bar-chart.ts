import { LitElement, css, html, svg, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { layoutBars } from './chart-geometry.js';

/** An accessible SVG bar chart: the data is also in a visually hidden table for screen readers. */
@customElement('pa-bar-chart')
export class BarChart extends LitElement {
  static override styles = css`
    :host { display: block; }
    svg { width: 100%; height: auto; font: 10px system-ui, sans-serif; }
    rect.bar { fill: var(--pa-accent, #3056d3); }
    line { stroke: #dde1e6; }
    text { fill: #5d6675; }
    table { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  `;

  @property() label = '';
  @property() unit = '';
  @property({ attribute: false }) data: readonly { label: string; value: number }[] = [];

  override render(): TemplateResult {
    const W = 560;
    const H = 160;
    const left = 36;
    const bottom = 18;
    const layout = layoutBars(this.data, W - left, H - bottom);
    const every = Math.max(1, Math.ceil(this.data.length / 10));
    return html`
      <svg viewBox="0 -8 ${W} ${H + 8}" role="img" aria-label=${this.label}>
        ${layout.ticks.map((t) => svg`<line x1=${left} x2=${W} y1=${t.y} y2=${t.y}></line><text x=${left - 4} y=${t.y + 3} text-anchor="end">${round(t.value)}</text>`)}
        ${layout.bars.map(
          (b, i) => svg`<rect class="bar" x=${left + b.x} y=${b.y} width=${b.width} height=${b.height}><title>${b.label}: ${round(b.value)}${this.unit}</title></rect>
            ${i % every === 0 ? svg`<text x=${left + b.x + b.width / 2} y=${H - 4} text-anchor="middle">${b.label}</text>` : null}`,
        )}
      </svg>
      <table><caption>${this.label}</caption>${this.data.map((d) => html`<tr><th>${d.label}</th><td>${round(d.value)}${this.unit}</td></tr>`)}</table>
    `;
  }
}

const round = (v: number): string => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, ''));

declare global {
  interface HTMLElementTagNameMap {
    'pa-bar-chart': BarChart;
  }
}
