import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { deviceId } from '@parley/core';
import { createIndexedDbStore } from '@parley/core/browser';
import '../session/sign-in-view.js';
import './workspace-view.js';
import { SignInError, deleteReplicas, forgetSession, loadSession, saveSession, signIn, type Session } from '../session/session.js';
import { createSessionShare } from '../session/session-share.js';
import type { SignInDetail } from '../session/sign-in-view.js';
import { createCoreSync, replicaPrefix } from '../sync/core-sync.js';
import type { AgentSync } from '../sync/sync-port.js';

/**
 * `<parley-agent-app>`: signed out it shows the sign-in form; signed in, the workspace over one
 * sync client. The relay is this page's origin unless `?relay=` names another (development).
 */
@customElement('parley-agent-app')
export class AgentApp extends LitElement {
  static override styles = css`
    :host { display: block; height: 100%; }
  `;

  @state() private session: Session | null = loadSession();
  @state() private error = '';
  @state() private busy = false;
  private sync: AgentSync | null = null;
  private readonly relayUrl = new URLSearchParams(location.search).get('relay') ?? location.origin;
  private readonly device = deviceId(localStorage);
  private readonly share = createSessionShare();

  override connectedCallback(): void {
    super.connectedCallback();
    this.share.provide(() => this.session);
    // Another tab signed out (maybe clearing this device's data): this one must not stay signed in.
    this.share.onSignedOut(() => void this.endSession(false));
    if (!this.session) {
      void this.share.ask().then((s) => {
        if (!s || this.session || s.expiresAt <= Date.now()) return;
        saveSession(s);
        this.session = s;
      });
    }
  }

  override disconnectedCallback(): void {
    this.share.close();
    super.disconnectedCallback();
  }

  private async onSignIn(e: CustomEvent<SignInDetail>): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      const session = await signIn(this.relayUrl, e.detail.email, e.detail.password);
      saveSession(session);
      this.session = session;
    } catch (err) {
      this.error = err instanceof SignInError ? err.message : 'Sign-in failed.';
    } finally {
      this.busy = false;
    }
  }

  private onSessionChange(e: CustomEvent<{ avatar: string | undefined }>): void {
    if (!this.session) return;
    const { avatar: _old, ...rest } = this.session;
    this.session = { ...rest, ...(e.detail.avatar ? { avatar: e.detail.avatar } : {}) };
    saveSession(this.session);
  }

  private async onSignOut(e: CustomEvent<{ clear: boolean }>): Promise<void> {
    this.share.signedOut();
    await this.endSession(e.detail.clear);
  }

  private async endSession(clear: boolean): Promise<void> {
    const session = this.session;
    const sync = this.sync;
    this.session = null;
    this.sync = null;
    forgetSession();
    await sync?.destroy();
    if (session && clear) {
      const prefix = replicaPrefix(session.ws, session.agentId);
      await deleteReplicas((name) => name.startsWith(prefix));
      for (const key of Object.keys(localStorage)) if (key.startsWith('parley.agent.')) localStorage.removeItem(key);
    }
    this.dispatchEvent(new CustomEvent('pa-signed-out', { detail: { cleared: clear }, bubbles: true, composed: true }));
  }

  override render(): TemplateResult {
    const s = this.session;
    if (!s) return html`<pa-sign-in .error=${this.error} ?busy=${this.busy} @pa-sign-in=${this.onSignIn}></pa-sign-in>`;
    this.sync ??= createCoreSync({ relayUrl: s.relayUrl, token: s.token, ws: s.ws, agentId: s.agentId, store: createIndexedDbStore({ prefix: replicaPrefix(s.ws, s.agentId) }) });
    return html`<pa-workspace .session=${s} .sync=${this.sync} .deviceId=${this.device} @pa-sign-out=${this.onSignOut} @pa-session-change=${this.onSessionChange}></pa-workspace>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-agent-app': AgentApp;
  }
}
