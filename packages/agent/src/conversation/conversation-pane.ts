import { LitElement, css, html, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import './conversation-view.js';
import { ConversationController, type ConversationControllerOptions } from '../controllers/conversation-controller.js';
import type { AgentSync } from '../sync/sync-port.js';
import type { ConversationAction } from './actions.js';
import type { ComposerSendDetail } from './composer.js';
import type { CannedReply, TemplateVars } from './canned.js';
import type { AgentOption, ConversationView } from './conversation-view.js';

const draftKey = (doc: string, mode: string): string => `parley.agent.draft.${mode}.${doc}`;

/**
 * One tab: binds a ConversationController to the conversation view. Drafts are kept in
 * localStorage per conversation, so they survive a reload and an offline spell.
 */
@customElement('pa-conversation-pane')
export class ConversationPane extends LitElement {
  static override styles = css`
    :host { display: block; height: 100%; min-height: 0; }
    :host([hidden]) { display: none; }
    .error { color: #b42318; padding: 4px 12px; margin: 0; background: #fdecea; }
  `;

  @property({ attribute: false }) sync!: AgentSync;
  @property() doc = '';
  @property({ attribute: false }) options!: ConversationControllerOptions;
  @property({ attribute: false }) agents: readonly AgentOption[] = [];
  @property({ attribute: false }) teams: readonly string[] = [];
  @property({ attribute: false }) labelSuggestions: readonly string[] = [];
  @property({ attribute: false }) canned: readonly CannedReply[] = [];
  @property({ attribute: false }) extraVars: TemplateVars = {};
  @property({ type: Boolean }) offline = false;
  @property({ type: Boolean }) active = false;
  @property({ type: Number }) now = Date.now();
  private controller: ConversationController | undefined;
  private error = '';
  private mode: 'reply' | 'note' = 'reply';

  override connectedCallback(): void {
    // The controller needs `sync` and `doc`, which are set before the element is attached.
    this.controller ??= new ConversationController(this, this.sync, this.doc, this.options);
    super.connectedCallback();
  }

  get conversation(): ConversationController | undefined {
    return this.controller;
  }

  get view(): ConversationView | null {
    return this.renderRoot.querySelector('pa-conversation');
  }

  act(action: ConversationAction): void {
    this.run(() => this.controller?.act(action));
  }

  private run(fn: () => void): void {
    try {
      fn();
      this.error = '';
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
    this.requestUpdate();
  }

  private onSend(e: CustomEvent<ComposerSendDetail>): void {
    const { mode, text } = e.detail;
    this.run(() => (mode === 'note' ? this.controller?.addNote(text) : this.controller?.send(text)));
    localStorage.removeItem(draftKey(this.doc, mode));
  }

  private onDraft(e: CustomEvent<ComposerSendDetail>): void {
    this.mode = e.detail.mode;
    if (e.detail.text) localStorage.setItem(draftKey(this.doc, e.detail.mode), e.detail.text);
    else localStorage.removeItem(draftKey(this.doc, e.detail.mode));
  }

  override willUpdate(changed: PropertyValues<this>): void {
    // The agent changed their avatar: replies from now on carry it (see ConversationController.setMe).
    const before = changed.get('options') as ConversationControllerOptions | undefined;
    if (before && this.controller && JSON.stringify(before.me) !== JSON.stringify(this.options.me)) this.controller.setMe(this.options.me);
  }

  override updated(): void {
    // What is on screen has been read; only the visible tab moves the marker.
    if (this.active && document.visibilityState === 'visible') this.controller?.markRead();
  }

  override render(): TemplateResult {
    const c = this.controller;
    if (!c) return html``;
    const model = c.model;
    const me = { id: this.options.me.id, name: this.options.me.name };
    return html`${this.error ? html`<p class="error" role="alert">${this.error}</p>` : null}
      <pa-conversation
        .model=${model}
        .me=${me}
        .agents=${this.agents}
        .teams=${this.teams}
        .labelSuggestions=${this.labelSuggestions}
        .canned=${this.canned}
        .vars=${{ 'customer.name': model.customer.name.split(' ')[0], 'customer.email': model.customer.email, 'agent.name': this.options.me.name, ...this.extraVars }}
        .draft=${localStorage.getItem(draftKey(this.doc, this.mode)) ?? ''}
        ?offline=${this.offline}
        .now=${this.now}
        @pa-action=${(e: CustomEvent<ConversationAction>) => this.act(e.detail)}
        @pa-send=${this.onSend}
        @pa-draft=${this.onDraft}
        @pa-mode=${(e: CustomEvent<'reply' | 'note'>) => (this.mode = e.detail)}
        @pa-typing=${(e: CustomEvent<boolean>) => c.setTyping(e.detail)}
      ></pa-conversation>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-conversation-pane': ConversationPane;
  }
}
