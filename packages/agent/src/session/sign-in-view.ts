import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { theme } from '../ui/theme.js';

export interface SignInDetail {
  email: string;
  password: string;
}

/** The sign-in form. Emits `pa-sign-in` with the credentials; the shell does the request and sets `error`. */
@customElement('pa-sign-in')
export class SignInView extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: grid; place-items: center; min-height: 100vh; background: var(--pa-bg); }
      form { background: var(--pa-panel); border: 1px solid var(--pa-border); border-radius: 12px; padding: 32px; width: min(360px, 92vw); display: grid; gap: 14px; }
      h1 { margin: 0; font-size: 22px; }
      label { display: grid; gap: 4px; font-weight: 500; }
      .error { color: var(--pa-danger); margin: 0; }
      button.primary { padding: 8px; }
    `,
  ];

  @property() error = '';
  @property({ type: Boolean }) busy = false;
  @state() private email = '';
  @state() private password = '';

  private submit(e: Event): void {
    e.preventDefault();
    this.dispatchEvent(new CustomEvent<SignInDetail>('pa-sign-in', { detail: { email: this.email.trim(), password: this.password }, bubbles: true, composed: true }));
  }

  override render(): TemplateResult {
    return html`
      <form @submit=${this.submit} aria-labelledby="title">
        <h1 id="title">Parley for agents</h1>
        <label>Email <input name="email" type="email" autocomplete="username" required .value=${this.email} @input=${(e: InputEvent) => (this.email = (e.target as HTMLInputElement).value)} /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required .value=${this.password} @input=${(e: InputEvent) => (this.password = (e.target as HTMLInputElement).value)} /></label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : null}
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-sign-in': SignInView;
  }
}
