/**
 * <parley-chat workspace="…" relay="…">: the customer's messaging app inside any page.
 *
 * The element renders state and routes between screens (home, pre-chat, conversation, pairing);
 * data comes through controllers that follow the ChatStore. Code the first paint does not need
 * (attachments, the QR code) is imported on first use.
 */
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { styles } from './styles.js';
import { createI18n, pickLocale, type I18n, type Locale } from './i18n/locale.js';
import { locales, localeNames } from './i18n/catalog.js';
import { SourceController } from './controllers/source-controller.js';
import { ConversationController } from './controllers/conversation-controller.js';
import { ViewportController } from './controllers/viewport-controller.js';
import { ConnectivityController } from './controllers/connectivity-controller.js';
import { AttentionController } from './controllers/attention-controller.js';
import { InvitationController } from './controllers/invitation-controller.js';
import { FocusTrapController } from './controllers/focus-trap-controller.js';
import { createSessionStore, type Session, type SessionStore } from './store/session.js';
import { WidgetError } from './store/errors.js';
import type { ChatStore, StartFields } from './store/chat-store.js';
import type { StorageAlert } from './store/storage-watch.js';
import { defaultSettings, type Announcement, type ChatMessage, type ConnectionState, type ConversationSummary, type ConversationView } from './model.js';
import { renderMessages } from './views/messages.js';
import { renderConversationList } from './views/conversation-list.js';
import { renderPreChat, renderRating } from './views/forms.js';

/** How the element reaches its data; the entry (index.ts) plugs in the one over @parley/core. */
export type StoreConnector = (opts: { relay: string; session: Session; freshToken?: () => Promise<string> }) => Promise<ChatStore>;

type Screen = 'home' | 'prechat' | 'conversation' | 'pairing';

/** The "turn off notifications" item of the panel's menu; the entry plugs in Web Push's (push/install.ts). */
export interface NotificationControl {
  /** This browser gets Web Push for this customer now. */
  enabled(): boolean;
  /** Unsubscribes at the relay and in the browser; the offer does not come back by itself. */
  turnOff(): Promise<void>;
}

/** Detail of the `parley-message` event, fired for every new message from the other side. */
export interface MessageEventDetail {
  conversationId: string;
  message: ChatMessage;
}

const LOCALE_KEY = 'parley:locale';
const PAIR_PARAM = 'parley-pair';
/** Stop telling the agent "typing" this long after the last keystroke. */
const TYPING_IDLE_MS = 3000;

export class ParleyChat extends LitElement {
  static override styles = styles;
  static override properties = {
    workspace: { type: String },
    relay: { type: String },
    locale: { type: String },
    open: { type: Boolean, reflect: true },
    position: { type: String, reflect: true },
  };

  workspace = '';
  relay = '';
  /** Overrides the browser's language; also settable from the panel. */
  locale: string | undefined;
  open = false;
  position: 'right' | 'left' = 'right';
  /** Replaced in tests or by hosts that bring their own data layer. */
  connector: StoreConnector | undefined;
  /** Shown in the menu when set and enabled (Web Push, from the entry). */
  notifications: NotificationControl | undefined;

  private i18n: I18n = createI18n('en');
  private sessions: SessionStore | undefined;
  private store: ChatStore | undefined;
  private pendingIdentify: string | undefined;
  private connecting: Promise<ChatStore> | undefined;
  private screen: Screen = 'home';
  private error = '';
  private draftFields: StartFields | undefined;
  /** the empty conversation on screen is one the customer asked for with "New conversation" */
  private draftChosen = false;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private announced = '';
  private seenMessageIds = new Set<string>();
  private dismissed = new Set<string>();
  private pairing: { code: string; url: string; expiresAt: number; svg?: string } | undefined;
  private attachments: Promise<typeof import('./lazy/attachments.js')> | undefined;
  private dragging = false;
  /** Asked for by openConversation() but not (yet) in this device's list: entered once it syncs. */
  private wantedConversation: string | undefined;
  private notificationsOff = false;

  private readonly connection = new SourceController<ConnectionState>(this, 'connecting');
  private readonly settings = new SourceController(this, defaultSettings);
  private readonly announcements = new SourceController<readonly Announcement[]>(this, []);
  private readonly storageAlert = new SourceController<StorageAlert | null>(this, null);
  private readonly inbox = new SourceController<readonly ConversationSummary[]>(this, []);
  private readonly conversation = new ConversationController(this);
  private readonly viewport = new ViewportController(this);
  private readonly connectivity = new ConnectivityController(this);
  private readonly attention = new AttentionController(this, (n, title) => this.i18n.t('titleBadge', { n, title }));
  private readonly invitation = new InvitationController(this, () => !this.open);
  private readonly focusTrap = new FocusTrapController(
    this,
    () => this.renderRoot.querySelector('.panel'),
    () => this.open,
    () => (this.open = false),
  );

  constructor() {
    super();
    this.conversation.onChange((view) => this.onConversationChange(view));
  }

  // ---- public API (also used by Parley.init) ----

  /** A token the host site signed for its logged-in user; replaces the anonymous session. */
  identify(token: string): void {
    this.pendingIdentify = token;
    if (this.sessions) {
      this.resetStore();
      void this.ensureStore();
    }
  }

  setLocale(locale: string): void {
    this.locale = locale;
    try {
      localStorage.setItem(LOCALE_KEY, locale);
    } catch {
      // Storage may be blocked (private mode); the choice then lasts for this page only.
    }
  }

  show(): void {
    this.open = true;
  }

  hide(): void {
    this.open = false;
  }

  /**
   * Opens the panel on one of this customer's conversations, e.g. the one a notification was
   * about. On a device that has not synced it yet the panel shows the list and moves to the
   * conversation as soon as it arrives; an id that is not this customer's is never opened.
   */
  openConversation(id: string): void {
    this.wantedConversation = id;
    this.open = true;
    void this.ensureStore().then(() => this.enterWanted());
  }

  // ---- lifecycle ----

  override connectedCallback(): void {
    super.connectedCallback();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resetStore();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('locale') || !this.hasUpdated) {
      let stored: string | null = null;
      try {
        stored = localStorage.getItem(LOCALE_KEY);
      } catch {
        stored = null;
      }
      const chosen: Locale = pickLocale(navigator.languages ?? [navigator.language], this.locale ?? stored);
      if (chosen !== this.i18n.locale || !this.hasUpdated) this.i18n = createI18n(chosen);
    }
    if ((changed.has('workspace') || changed.has('relay')) && this.workspace && this.relay) {
      this.resetStore();
      this.sessions = createSessionStore({ relay: this.relay, workspace: this.workspace });
      // Returning customers (stored session) or a pairing link: connect now, so the badge counts
      // unread replies before the panel is opened. First-time visitors connect on first open.
      if (this.hasStoredSession() || this.pairCodeFromUrl() || this.pendingIdentify) void this.ensureStore();
    }
    if (changed.has('open') && this.open) {
      void this.ensureStore();
      this.invitation.dismiss();
      this.attention.clear();
      if (!this.hasUpdated || changed.get('open') === false) this.screen = this.initialScreen();
    }
    const settings = this.settings.value;
    if (settings.position !== this.position) this.position = settings.position;
    this.style.setProperty('--parley-primary', settings.colors.primary);
    this.style.setProperty('--parley-on-primary', settings.colors.onPrimary);
  }

  protected override firstUpdated(): void {
    // Lets hosts (and the size/speed test) measure script tag to launcher without guessing.
    performance.mark('parley:launcher-visible');
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('open')) {
      if (this.open && this.screen === 'conversation') this.conversation.actions?.markRead();
      if (this.open) this.focusFirst();
      else if (changed.get('open') === true) this.renderRoot.querySelector<HTMLElement>('.launcher')?.focus();
      this.dispatchEvent(new CustomEvent(this.open ? 'parley-open' : 'parley-close', { bubbles: true, composed: true }));
    }
    if (this.open && this.screen === 'conversation') {
      const body = this.renderRoot.querySelector('.body');
      if (body) body.scrollTop = body.scrollHeight;
    }
  }

  // ---- data ----

  private hasStoredSession(): boolean {
    try {
      return localStorage.getItem(`parley:session:${this.workspace}`) !== null;
    } catch {
      return false;
    }
  }

  private pairCodeFromUrl(): string | null {
    return new URL(location.href).searchParams.get(PAIR_PARAM) ?? new URLSearchParams(location.hash.slice(1)).get(PAIR_PARAM);
  }

  private async ensureStore(): Promise<ChatStore | undefined> {
    if (this.store) return this.store;
    if (!this.sessions) return undefined;
    const sessions = this.sessions;
    this.connecting ??= (async () => {
      this.error = '';
      const code = this.pairCodeFromUrl();
      let session: Session;
      if (this.pendingIdentify) session = sessions.identify(this.pendingIdentify);
      else if (code) {
        // Spent or not, keep the code out of history so a reload does not try it again.
        const url = new URL(location.href);
        url.searchParams.delete(PAIR_PARAM);
        url.hash = '';
        history.replaceState(history.state, '', url);
        this.open = true;
        try {
          session = await sessions.redeemPairing(code);
        } catch (err) {
          if (!(err instanceof WidgetError) || err.code !== 'pairing_invalid') throw err;
          this.error = this.i18n.t('pairingFailed');
          session = await sessions.current();
        }
      } else session = await sessions.current();
      if (!this.connector) throw new Error('parley-chat has no data connector');
      // Asked before every reconnect: a tab left open for weeks refreshes its token instead of failing.
      const freshToken = async (): Promise<string> => (await sessions.current().catch(() => session)).token;
      return this.connector({ relay: this.relay, session, freshToken });
    })();
    try {
      const store = await this.connecting;
      if (this.sessions !== sessions) {
        store.destroy();
        return undefined;
      }
      this.store = store;
      this.connection.rebind(store.connection);
      this.settings.rebind(store.settings);
      this.announcements.rebind(store.announcements);
      if (store.storage) this.storageAlert.rebind(store.storage);
      this.inbox.rebind(store.conversations);
      store.conversations.subscribe(() => this.onInboxChange());
      // Settings usually arrive from the relay after connecting: invitations follow them.
      const plan = (): void => this.invitation.schedule(this.settings.value.proactive, this.inbox.value.length > 0);
      store.settings.subscribe(plan);
      plan();
      void this.resumeUploads(store);
      // Fetch the (small) attachments chunk while online: a file picked offline must not need the network.
      void this.loadAttachments().catch(() => undefined);
      if (this.open) this.screen = this.initialScreen();
      this.enterWanted();
      this.requestUpdate();
      return store;
    } catch (err) {
      this.connecting = undefined;
      this.error = (err as Error).message;
      this.requestUpdate();
      return undefined;
    }
  }

  private resetStore(): void {
    this.conversation.show(undefined, undefined);
    for (const c of [this.connection, this.settings, this.announcements, this.inbox] as SourceController<unknown>[]) c.rebind(undefined);
    this.store?.destroy();
    this.store = undefined;
    this.connecting = undefined;
  }

  private initialScreen(): Screen {
    if (this.screen === 'conversation' && this.conversation.id) return 'conversation';
    // Waiting for the conversation a notification named: show the list, never guess another one.
    if (this.wantedConversation) return 'home';
    const list = this.inbox.value;
    // With exactly one conversation there is nothing to choose: go straight to it.
    if (list.length === 1) {
      this.draftChosen = false;
      this.conversation.show(this.store, list[0]!.id);
      return 'conversation';
    }
    if (list.length === 0 && this.store) return this.settings.value.preChat.length ? 'prechat' : 'conversation';
    return 'home';
  }

  private get unread(): number {
    return this.inbox.value.reduce((n, c) => n + c.unread, 0);
  }

  private onInboxChange(): void {
    // Conversations can arrive after the panel opened (a paired device syncing its history): leave
    // an empty draft for them rather than make the customer look for their history.
    const list = this.inbox.value;
    if (this.enterWanted()) {
      // entered the conversation a notification asked for
    } else if (this.open && this.screen === 'conversation' && !this.conversation.id && !this.draftChosen && list.length > 0) {
      if (list.length === 1) this.enterConversation(list[0]!.id);
      else this.screen = 'home';
    }
    const unread = this.unread;
    if (this.attention.away(this.open) && unread > 0) {
      const latest = this.inbox.value.find((c) => c.unread > 0 && c.lastRole !== 'customer');
      this.attention.signal(unread, latest ? { title: this.i18n.t('newMessageFrom', { name: this.i18n.t('support') }), body: latest.lastText } : undefined);
    } else if (unread === 0) this.attention.clear();
  }

  private onConversationChange(view: ConversationView): void {
    const fresh = view.messages.filter((m) => !this.seenMessageIds.has(m.id));
    const firstLoad = this.seenMessageIds.size === 0;
    for (const m of view.messages) this.seenMessageIds.add(m.id);
    const theirs = fresh.filter((m) => m.role !== 'customer');
    if (!firstLoad && theirs.length) {
      const last = theirs[theirs.length - 1]!;
      this.announced = `${last.authorName ?? this.i18n.t('support')}: ${last.text}`;
      for (const message of theirs) {
        this.dispatchEvent(new CustomEvent<MessageEventDetail>('parley-message', { detail: { conversationId: view.id, message }, bubbles: true, composed: true }));
      }
    }
    if (this.open && document.visibilityState === 'visible' && this.screen === 'conversation') this.conversation.actions?.markRead();
  }

  private enterWanted(): boolean {
    const id = this.wantedConversation;
    if (!id || !this.store || !this.inbox.value.some((c) => c.id === id)) return false;
    this.wantedConversation = undefined;
    if (this.conversation.id !== id || this.screen !== 'conversation') this.enterConversation(id);
    return true;
  }

  private enterConversation(id: string): void {
    this.draftChosen = false;
    this.seenMessageIds.clear();
    this.conversation.show(this.store, id);
    this.screen = 'conversation';
    this.requestUpdate();
    void this.updateComplete.then(() => this.focusComposer());
  }

  private newConversation(): void {
    this.draftChosen = true;
    this.conversation.show(undefined, undefined);
    this.draftFields = undefined;
    this.screen = this.settings.value.preChat.length ? 'prechat' : 'conversation';
    this.requestUpdate();
    void this.updateComplete.then(() => (this.screen === 'conversation' ? this.focusComposer() : this.focusFirst()));
  }

  private async send(text: string): Promise<void> {
    const store = this.store ?? (await this.ensureStore());
    if (!store) return;
    if (!this.conversation.id) {
      const id = store.start({ ...this.draftFields, language: this.draftFields?.language ?? this.i18n.locale });
      this.seenMessageIds.clear();
      this.conversation.show(store, id);
    }
    this.stopTyping();
    this.conversation.actions?.send(text);
  }

  // ---- input ----

  private onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    const area = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea[name="message"]');
    const text = area?.value.trim() ?? '';
    if (!area || !text) return;
    area.value = '';
    void this.send(text);
  };

  private onComposerKey = (e: KeyboardEvent): void => {
    // Enter sends, Shift+Enter breaks the line; IME composition (zh, ko) must not send half a word.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      (e.target as HTMLTextAreaElement).form?.requestSubmit();
    }
  };

  private onComposerInput = (): void => {
    if (!this.conversation.actions) return;
    if (!this.typingTimer) this.conversation.actions.setTyping(true);
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  };

  private stopTyping(): void {
    if (this.typingTimer) {
      clearTimeout(this.typingTimer);
      this.typingTimer = undefined;
      this.conversation.actions?.setTyping(false);
    }
  }

  private focusFirst(): void {
    const focusables = this.focusTrap.focusables();
    const target = this.renderRoot.querySelector<HTMLElement>('textarea[name="message"]') ?? focusables[1] ?? focusables[0];
    target?.focus();
  }

  private focusComposer(): void {
    this.renderRoot.querySelector<HTMLTextAreaElement>('textarea[name="message"]')?.focus();
  }

  // ---- attachments (lazy) ----

  private loadAttachments(): Promise<typeof import('./lazy/attachments.js')> {
    // A failed load (offline before it was ever fetched) is forgotten, so the next try fetches again.
    this.attachments ??= import('./lazy/attachments.js').catch((err: unknown) => {
      this.attachments = undefined;
      throw err;
    });
    return this.attachments;
  }

  /** Files attached offline (maybe before a reload) are still queued in IndexedDB: send them now. */
  private async resumeUploads(store: ChatStore): Promise<void> {
    const dbs = (await indexedDB.databases?.().catch(() => [])) ?? [];
    if (dbs.some((d) => d.name === 'parley-uploads')) await (await this.loadAttachments()).drain(store);
  }

  private async attach(files: Iterable<File>): Promise<void> {
    let mod: typeof import('./lazy/attachments.js');
    try {
      mod = await this.loadAttachments();
    } catch (err) {
      this.error = (err as Error).message;
      this.requestUpdate();
      return;
    }
    const store = this.store ?? (await this.ensureStore());
    if (!store) return;
    if (!this.conversation.id) {
      this.conversation.show(store, store.start({ ...this.draftFields, language: this.i18n.locale }));
    }
    const actions = this.conversation.actions;
    if (!actions) return;
    const errors: string[] = [];
    for (const file of files) {
      const refused = mod.checkLimit(file, this.settings.value.maxAttachmentBytes);
      if (refused) {
        errors.push(this.i18n.t('tooLarge', { name: file.name, max: this.i18n.bytes(refused.max) }));
        continue;
      }
      await mod.sendAttachment(file, actions, store);
    }
    this.error = errors.join(' ');
    this.requestUpdate();
  }

  private onFilePicked = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    if (input.files?.length) void this.attach(Array.from(input.files));
    input.value = '';
  };

  private onPaste = (e: ClipboardEvent): void => {
    const files = Array.from(e.clipboardData?.files ?? []);
    if (files.length) {
      e.preventDefault();
      void this.attach(files);
    }
  };

  private onDragOver = (e: DragEvent): void => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    if (!this.dragging) {
      this.dragging = true;
      this.requestUpdate();
    }
  };

  private onDragLeave = (): void => {
    this.dragging = false;
    this.requestUpdate();
  };

  private onDrop = (e: DragEvent): void => {
    e.preventDefault();
    this.dragging = false;
    const files = Array.from(e.dataTransfer?.files ?? []);
    if (files.length) void this.attach(files);
  };

  // ---- pairing (lazy) ----

  private async startPairing(): Promise<void> {
    const store = this.store ?? (await this.ensureStore());
    if (!store || !this.sessions) return;
    this.screen = 'pairing';
    this.pairing = undefined;
    this.requestUpdate();
    try {
      const session = await this.sessions.current();
      const { code, expiresAt } = await this.sessions.createPairing(session);
      const url = new URL(location.href);
      url.hash = `${PAIR_PARAM}=${encodeURIComponent(code)}`;
      this.pairing = { code, url: url.href, expiresAt };
      this.requestUpdate();
      const { qrSvg } = await import('./lazy/qr.js');
      this.pairing = { ...this.pairing, svg: qrSvg(url.href) };
    } catch (err) {
      this.error = (err as Error).message;
    }
    this.requestUpdate();
  }

  private async turnOffNotifications(): Promise<void> {
    try {
      await this.notifications?.turnOff();
      this.notificationsOff = true;
    } catch (err) {
      this.error = (err as Error).message;
    }
    this.requestUpdate();
  }

  // ---- render ----

  override render(): TemplateResult {
    const t = this.i18n.t.bind(this.i18n);
    const settings = this.settings.value;
    const unread = this.unread;
    return html`<div dir=${this.i18n.dir} lang=${this.i18n.locale}>
      ${this.open ? this.renderPanel() : nothing}
      ${this.invitation.message && !this.open
        ? html`<div class="invite" role="status">
            <p>${this.invitation.message}</p>
            <button class="secondary" type="button" @click=${() => this.invitation.dismiss()}>${t('dismiss')}</button>
          </div>`
        : nothing}
      ${this.open && this.viewport.mobile
        ? nothing
        : html`<button
            class="launcher"
            type="button"
            aria-expanded=${this.open ? 'true' : 'false'}
            aria-label=${this.open ? t('closeChat') : unread ? `${t('openChat')}, ${t('unread', { n: unread })}` : t('openChat')}
            @click=${() => (this.open = !this.open)}
          >
            <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z" /></svg>
            ${settings.launcherText && !this.open ? html`<span aria-hidden="true">${settings.launcherText}</span>` : nothing}
            ${unread > 0 && !this.open ? html`<span class="badge" aria-hidden="true">${this.i18n.number(unread)}</span>` : nothing}
          </button>`}
    </div>`;
  }

  private renderPanel(): TemplateResult {
    const t = this.i18n.t.bind(this.i18n);
    const online = this.connectivity.online && this.connection.value !== 'offline';
    const announcements = this.announcements.value.filter((a) => !this.dismissed.has(a.id));
    return html`<section
      class="panel ${this.viewport.mobile ? 'mobile' : ''} ${this.dragging ? 'dropzone' : ''}"
      role="dialog"
      aria-modal="true"
      aria-labelledby="parley-title"
      @dragover=${this.onDragOver}
      @dragleave=${this.onDragLeave}
      @drop=${this.onDrop}
    >
      <div class="header">
        ${this.screen !== 'home'
          ? html`<button type="button" aria-label=${t('back')} @click=${() => ((this.screen = 'home'), this.requestUpdate())}>
              <span aria-hidden="true">${this.i18n.dir === 'rtl' ? '→' : '←'}</span>
            </button>`
          : nothing}
        <h2 id="parley-title">${t('title')}</h2>
        <select aria-label=${t('language')} @change=${(e: Event) => this.setLocale((e.target as HTMLSelectElement).value)}>
          ${locales.map((l) => html`<option value=${l} ?selected=${l === this.i18n.locale}>${localeNames[l]}</option>`)}
        </select>
        <button type="button" aria-label=${t('closeChat')} @click=${() => (this.open = false)}><span aria-hidden="true">×</span></button>
      </div>
      ${online ? nothing : html`<div class="banner offline" role="status">${t('offline')}</div>`}
      ${this.renderStorageAlert()}
      ${announcements.map(
        (a) => html`<div class="banner ${a.level}" role="status">
          ${a.text}<button type="button" @click=${() => (this.dismissed.add(a.id), this.requestUpdate())}>${t('dismiss')}</button>
        </div>`,
      )}
      ${this.renderScreen()}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="sr-only" aria-live="polite" aria-atomic="true">${this.announced}</div>
    </section>`;
  }

  /** The browser stopped keeping this device's messages: say so, since they may be lost (storage-watch.ts). */
  private renderStorageAlert(): TemplateResult | typeof nothing {
    const alert = this.storageAlert.value;
    if (!alert) return nothing;
    const text = alert.kind === 'full' ? this.i18n.t('storageFull') : this.i18n.t('storageCleared', { n: this.i18n.number(alert.unsent) });
    return html`<div class="banner storage" role="alert">${text}</div>`;
  }

  private renderScreen(): TemplateResult {
    const t = this.i18n.t.bind(this.i18n);
    const settings = this.settings.value;
    switch (this.screen) {
      case 'home':
        return html`<div class="body">
          <p class="greeting">${settings.greeting ?? t('greeting')}</p>
          <p><button class="primary" type="button" @click=${() => this.newConversation()}>${t('newConversation')}</button></p>
          ${renderConversationList(this.inbox.value, this.i18n, (id) => this.enterConversation(id))}
          <p><button class="secondary" type="button" @click=${() => void this.startPairing()}>${t('continueElsewhere')}</button></p>
          ${this.notifications?.enabled()
            ? html`<p><button class="secondary" type="button" @click=${() => void this.turnOffNotifications()}>${t('notificationsOff')}</button></p>`
            : this.notificationsOff
              ? html`<p role="status">${t('notificationsAreOff')}</p>`
              : nothing}
        </div>`;
      case 'prechat':
        return html`<div class="body">
          <p class="greeting">${settings.greeting ?? t('greeting')}</p>
          ${renderPreChat(settings.preChat, this.i18n, (fields) => {
            this.draftFields = fields;
            this.screen = 'conversation';
            this.requestUpdate();
            void this.updateComplete.then(() => this.focusComposer());
          })}
        </div>`;
      case 'pairing':
        return html`<div class="body pairing">
          <h3>${t('continueElsewhere')}</h3>
          ${this.pairing
            ? html`<p>${t('pairingHelp', { min: Math.max(1, Math.round((this.pairing.expiresAt - Date.now()) / 60_000)) })}</p>
                ${this.pairing.svg ? html`<div role="img" aria-label=${this.pairing.url} .innerHTML=${this.pairing.svg}></div>` : nothing}
                <p class="code" data-code=${this.pairing.code}>${t('pairingCode', { code: this.pairing.code })}</p>
                <p><a href=${this.pairing.url} data-pair-link>${this.pairing.url}</a></p>
                <button class="secondary" type="button" @click=${() => void navigator.clipboard?.writeText(this.pairing?.url ?? '')}>${t('copyLink')}</button>`
            : html`<p role="status">${t('connecting')}</p>`}
        </div>`;
      case 'conversation':
        return this.renderConversation();
    }
  }

  private renderConversation(): TemplateResult {
    const t = this.i18n.t.bind(this.i18n);
    const view = this.conversation.view;
    const settings = this.settings.value;
    const resolved = view?.status === 'resolved';
    return html`<div class="body" role="log" aria-label=${t('title')} tabindex="0">
        ${view && view.messages.length ? renderMessages(view.messages, this.i18n) : html`<p class="greeting">${settings.greeting ?? t('greeting')}</p>`}
        ${resolved
          ? html`<p class="event">${t('resolved')}</p>
              ${renderRating(this.i18n, view?.rating !== undefined, (score, comment) => this.conversation.actions?.rate(score, comment))}`
          : nothing}
      </div>
      <div class="typing" aria-live="polite">${view?.agentTyping ? t('typing', { name: view.agentName ?? t('support') }) : ''}</div>
      ${settings.quickActions.length && !(view && view.messages.length)
        ? html`<div class="quick" role="group" aria-label=${t('quickActions')}>
            ${settings.quickActions.map((q) => html`<button type="button" @click=${() => void this.send(q)}>${q}</button>`)}
          </div>`
        : nothing}
      <form class="composer" @submit=${this.onSubmit}>
        <input type="file" multiple hidden @change=${this.onFilePicked} />
        <button
          class="icon"
          type="button"
          aria-label=${t('attach')}
          @pointerenter=${() => void this.loadAttachments().catch(() => undefined)}
          @click=${(e: Event) => ((e.currentTarget as HTMLElement).previousElementSibling as HTMLInputElement).click()}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z" /></svg>
        </button>
        <textarea
          name="message"
          rows="1"
          aria-label=${t('messageLabel')}
          placeholder=${t('placeholder')}
          @keydown=${this.onComposerKey}
          @input=${this.onComposerInput}
          @paste=${this.onPaste}
        ></textarea>
        <button type="submit">${t('send')}</button>
      </form>
      <p class="hint">${t('sizeLimit', { max: this.i18n.bytes(settings.maxAttachmentBytes) })}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-chat': ParleyChat;
  }
}
