import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';

/**
 * Renders only the rows in view (plus a small overscan) of a fixed-row-height list, so an inbox of
 * thousands of conversations costs as much as one screenful. Rows are absolutely positioned inside
 * a spacer as tall as the whole list; scrolling only changes which slice is rendered.
 *
 * Rows render into the light DOM, so the component that owns the list styles them with its own
 * styles; the list's few layout rules are inline for the same reason.
 */
@customElement('pa-virtual-list')
export class VirtualList<T = unknown> extends LitElement {
  @property({ attribute: false }) items: readonly T[] = [];
  @property({ type: Number }) rowHeight = 64;
  @property({ attribute: false }) renderItem: (item: T, index: number) => TemplateResult = () => html``;
  @state() private first = 0;
  @state() private viewport = 600;
  private readonly overscan = 6;
  private resizeObserver: ResizeObserver | undefined;

  private readonly onScroll = (): void => {
    const first = Math.floor(this.scrollTop / this.rowHeight);
    if (first !== this.first) this.first = first;
  };

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    Object.assign(this.style, { display: 'block', overflowY: 'auto', position: 'relative', contain: 'strict' });
    this.addEventListener('scroll', this.onScroll, { passive: true });
    this.resizeObserver = new ResizeObserver(() => {
      this.viewport = this.clientHeight || this.viewport;
    });
    this.resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    this.removeEventListener('scroll', this.onScroll);
    this.resizeObserver?.disconnect();
    super.disconnectedCallback();
  }

  /** Brings row `index` into view (keyboard navigation). */
  scrollToIndex(index: number): void {
    const top = index * this.rowHeight;
    if (top < this.scrollTop) this.scrollTop = top;
    else if (top + this.rowHeight > this.scrollTop + this.clientHeight) this.scrollTop = top + this.rowHeight - this.clientHeight;
  }

  override render(): TemplateResult {
    const count = this.items.length;
    const start = Math.max(0, this.first - this.overscan);
    const end = Math.min(count, this.first + Math.ceil(this.viewport / this.rowHeight) + this.overscan);
    const rows: TemplateResult[] = [];
    for (let i = start; i < end; i++) {
      const item = this.items[i]!;
      rows.push(html`<div role="listitem" style="position: absolute; left: 0; right: 0; contain: layout paint; transform: translateY(${i * this.rowHeight}px); height: ${this.rowHeight}px">${this.renderItem(item, i)}</div>`);
    }
    return html`<div role="list" style="position: relative; width: 100%; height: ${count * this.rowHeight}px">${count === 0 ? nothing : rows}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-virtual-list': VirtualList;
  }
}
