/**
 * The "notify me when they reply" card: a small element with its own shadow root beside
 * <parley-chat>, offering Web Push where the browser has it and the customer has not blocked
 * notifications for the site. A lazy chunk: install.ts loads it on the first reply from the support
 * side or when the host calls `enablePush()`, so it costs the first load nothing.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { ChatHost } from './install.js';
import { pushAvailability, readChoice, readToken, writeChoice } from './choice.js';
import { offerText } from './offer-text.js';
import { DEFAULT_SW_URL, subscribeToPush } from './subscribe.js';

export class ParleyPushOffer extends LitElement {
  static override styles = css`
    :host { all: initial; position: fixed; bottom: 96px; right: 20px; z-index: 2147483000; font: 14px/1.4 system-ui, sans-serif; }
    :host([side='left']) { right: auto; left: 20px; }
    .card { max-width: 300px; background: #fff; color: #1d1d1f; border-radius: 12px; padding: 14px 16px; box-shadow: 0 6px 24px rgb(0 0 0 / 0.18); }
    p { margin: 0 0 10px; }
    .actions { display: flex; gap: 8px; justify-content: flex-end; }
    button { all: unset; cursor: pointer; padding: 6px 12px; border-radius: 8px; font-weight: 600; }
    button:focus-visible { outline: 2px solid #2563eb; outline-offset: 2px; }
    .accept { background: var(--parley-primary, #2563eb); color: var(--parley-on-primary, #fff); }
    .decline { color: #444; }
  `;
  static override properties = { state: { type: String } };

  state: 'hidden' | 'offering' | 'busy' | 'enabled' | 'failed' = 'hidden';
  chat: ChatHost | undefined;
  serviceWorkerUrl = DEFAULT_SW_URL;
  private doneTimer: ReturnType<typeof setTimeout> | undefined;

  /** Shows the card if push can be offered and the customer has not answered it on this browser. */
  offer(force = false): void {
    if (!this.chat || pushAvailability() !== 'available') return;
    if (!force && readChoice(this.chat.workspace)) return;
    this.setAttribute('side', this.chat.position);
    this.state = 'offering';
  }

  async accept(): Promise<void> {
    const chat = this.chat;
    const token = chat && readToken(chat.workspace);
    if (!chat || !token) return;
    this.state = 'busy';
    try {
      await subscribeToPush({ relay: chat.relay, token, serviceWorkerUrl: this.serviceWorkerUrl });
      writeChoice(chat.workspace, 'enabled');
      this.state = 'enabled';
    } catch (err) {
      // The customer said no in the browser's prompt: that is an answer too.
      if ((err as { code?: string }).code === 'denied') writeChoice(chat.workspace, 'declined');
      this.state = 'failed';
      console.warn('[parley] push:', (err as Error).message);
    }
    clearTimeout(this.doneTimer);
    this.doneTimer = setTimeout(() => (this.state = 'hidden'), 4000);
  }

  decline(): void {
    if (this.chat) writeChoice(this.chat.workspace, 'declined');
    this.state = 'hidden';
  }

  protected override render() {
    if (this.state === 'hidden') return nothing;
    const { text, dir, lang } = offerText(this.chat?.locale);
    if (this.state === 'enabled' || this.state === 'failed') {
      return html`<div class="card" role="status" dir=${dir} lang=${lang}><p>${this.state === 'enabled' ? text.enabled : text.failed}</p></div>`;
    }
    return html`<div class="card" role="group" aria-label=${text.question} dir=${dir} lang=${lang}>
      <p>${text.question}</p>
      <div class="actions">
        <button class="decline" @click=${() => this.decline()}>${text.decline}</button>
        <button class="accept" ?disabled=${this.state === 'busy'} @click=${() => void this.accept()}>${text.accept}</button>
      </div>
    </div>`;
  }
}

if (!customElements.get('parley-push-offer')) customElements.define('parley-push-offer', ParleyPushOffer);

declare global {
  interface HTMLElementTagNameMap {
    'parley-push-offer': ParleyPushOffer;
  }
}
