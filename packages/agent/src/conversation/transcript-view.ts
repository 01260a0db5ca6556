import { LitElement, css, html, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { theme } from '../ui/theme.js';
import type { TranscriptEntry } from './view-model.js';

const DELIVERY_LABEL = { pending: 'Sending…', sent: 'Sent', delivered: 'Delivered', read: 'Read' } as const;
const DELIVERY_ICON = { pending: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓' } as const;

/** Messages, private notes and system events in document order; sticks to the bottom as new ones arrive. */
@customElement('pa-transcript')
export class TranscriptView extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: block; overflow-y: auto; padding: 16px; background: var(--pa-bg); }
      ol { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
      li { max-width: 72%; }
      .bubble { padding: 8px 12px; border-radius: 12px; background: var(--pa-panel); border: 1px solid var(--pa-border); white-space: pre-wrap; overflow-wrap: anywhere; }
      li.agent, li.bot { align-self: flex-end; }
      li.agent .bubble { background: var(--pa-accent); color: var(--pa-accent-text); border-color: var(--pa-accent); }
      li.note { align-self: flex-end; }
      li.note .bubble { background: var(--pa-note); color: var(--pa-text); border: 1px dashed #d9b945; }
      li.event { align-self: center; max-width: 90%; font-size: 12px; color: var(--pa-muted); text-align: center; }
      .meta { font-size: 11px; color: var(--pa-muted); margin-top: 2px; display: flex; gap: 6px; justify-content: flex-end; }
      li.customer .meta { justify-content: flex-start; }
      .deleted { font-style: italic; opacity: .7; }
      .delivery.read { color: var(--pa-accent); }
      a.file { color: inherit; }
      .meta .avatar { width: 18px; height: 18px; border-radius: 50%; object-fit: cover; align-self: center; }
      .typing { font-size: 12px; color: var(--pa-muted); margin-top: 8px; }
    `,
  ];

  @property({ attribute: false }) entries: readonly TranscriptEntry[] = [];
  @property({ type: Boolean }) customerTyping = false;
  @property() customerName = '';
  private pinned = true;

  private readonly onScroll = (): void => {
    this.pinned = this.scrollHeight - this.scrollTop - this.clientHeight < 40;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('scroll', this.onScroll, { passive: true });
  }

  override disconnectedCallback(): void {
    this.removeEventListener('scroll', this.onScroll);
    super.disconnectedCallback();
  }

  override updated(changed: PropertyValues<this>): void {
    // Follow the conversation unless the agent scrolled up to read history.
    if ((changed.has('entries') || changed.has('customerTyping')) && this.pinned) this.scrollTop = this.scrollHeight;
  }

  private renderEntry(e: TranscriptEntry): TemplateResult {
    const time = new Date(e.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    if (e.kind === 'event') return html`<li class="event" data-kind="event" data-id=${e.id}>${e.text} · ${time}</li>`;
    const cls = e.kind === 'note' ? 'note' : e.authorRole;
    return html`<li class=${cls} data-kind=${e.kind} data-id=${e.id} data-delivery=${e.delivery}>
      <div class="bubble ${e.deleted ? 'deleted' : ''}">${e.kind === 'note' ? html`<strong>Note · </strong>` : null}${e.deleted
          ? 'Message deleted'
          : e.attachment
            ? html`📎 <a class="file" href=${e.attachment.url} target="_blank" rel="noopener" download=${e.attachment.name}>${e.attachment.name}</a> <span>(${formatBytes(e.attachment.size)})</span>${e.text ? html`<div>${e.text}</div>` : null}`
            : e.text}</div>
      <div class="meta">
        ${e.authorAvatar && e.kind !== 'note' ? html`<img class="avatar" src=${e.authorAvatar} alt="" referrerpolicy="no-referrer" @error=${hideBroken} />` : null}<span>${e.authorName}</span><span>${time}</span>
        ${e.mine && e.kind !== 'note' ? html`<span class="delivery ${e.delivery}" title=${DELIVERY_LABEL[e.delivery]} aria-label=${DELIVERY_LABEL[e.delivery]}>${DELIVERY_ICON[e.delivery]}</span>` : null}
      </div>
    </li>`;
  }

  override render(): TemplateResult {
    return html`<ol aria-label="Transcript" aria-live="polite">${repeat(this.entries, (e) => e.id, (e) => this.renderEntry(e))}</ol>
      ${this.customerTyping ? html`<div class="typing" role="status">${this.customerName || 'The customer'} is typing…</div>` : null}`;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A picture that cannot load leaves the name alone rather than a broken-image icon. */
function hideBroken(e: Event): void {
  (e.target as HTMLImageElement).hidden = true;
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-transcript': TranscriptView;
  }
}
