import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { theme } from '../ui/theme.js';
import { avatarProblem } from './avatar.js';

/**
 * The signed-in agent's own profile: who they are and their avatar, an https picture URL kept on
 * their relay account beside their name. Emits `pa-save-avatar` (a URL, or null to remove); the
 * workspace calls the relay and hands back `error` or the new `avatar`.
 */
@customElement('pa-profile')
export class ProfileView extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: block; margin: 16px 24px; max-width: 680px; background: var(--pa-panel); border: 1px solid var(--pa-border); border-radius: var(--pa-radius); padding: 12px 16px; }
      h2 { font-size: 15px; margin: 0 0 10px; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; font-size: 13px; margin: 0 0 12px; }
      dt { color: var(--pa-muted); }
      dd { margin: 0; }
      form { display: flex; gap: 8px; align-items: end; flex-wrap: wrap; }
      label { display: inline-grid; gap: 2px; font-size: 13px; flex: 1; min-width: 280px; }
      .preview { width: 56px; height: 56px; border-radius: 50%; background: #8a96a3; color: #fff; display: grid; place-items: center; font-size: 22px; overflow: hidden; position: relative; }
      .preview img { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; }
      .error { color: var(--pa-danger); font-size: 13px; }
      .ok { color: var(--pa-ok); font-size: 13px; }
      [aria-invalid='true'] { border-color: var(--pa-danger); }
    `,
  ];

  @property() name = '';
  @property() email = '';
  @property({ attribute: 'staff-role' }) staffRole = '';
  /** the avatar the relay has now; '' when none */
  @property() avatar = '';
  /** the relay's refusal, or a network failure */
  @property() error = '';
  @property({ type: Boolean }) busy = false;
  @state() private draft: string | null = null;
  @state() private problem: string | null = null;
  @state() private saved = false;

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const url = (this.draft ?? this.avatar).trim();
    this.problem = avatarProblem(url);
    if (this.problem) {
      this.saved = false;
      this.renderRoot.querySelector<HTMLInputElement>('input[name=avatar]')?.focus();
      return;
    }
    this.emit(url === '' ? null : url);
  }

  private emit(avatar: string | null): void {
    this.saved = true;
    this.dispatchEvent(new CustomEvent<string | null>('pa-save-avatar', { detail: avatar, bubbles: true, composed: true }));
  }

  override render(): TemplateResult {
    const shown = this.draft ?? this.avatar;
    const previewUrl = avatarProblem(shown.trim()) === null ? shown.trim() : '';
    const invalid = this.problem !== null;
    return html`<h2>My profile</h2>
      <dl><dt>Name</dt><dd data-field="name">${this.name}</dd><dt>Email</dt><dd>${this.email}</dd><dt>Role</dt><dd>${this.staffRole}</dd></dl>
      <form @submit=${this.submit} aria-label="Avatar">
        <div class="preview" aria-hidden="true">${this.name.slice(0, 1).toUpperCase()}${previewUrl ? html`<img src=${previewUrl} alt="" referrerpolicy="no-referrer" @error=${(e: Event) => ((e.target as HTMLImageElement).hidden = true)} />` : nothing}</div>
        <label>Avatar URL (https)
          <input name="avatar" type="url" inputmode="url" autocomplete="photo" placeholder="https://…/me.png" .value=${shown}
            aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${invalid ? 'avatar-help avatar-error' : 'avatar-help'}
            @input=${(e: InputEvent) => {
              this.draft = (e.target as HTMLInputElement).value;
              this.problem = null;
              this.saved = false;
            }} />
        </label>
        <button type="submit" class="primary" data-action="save-avatar" ?disabled=${this.busy}>Save avatar</button>
        ${this.avatar ? html`<button type="button" data-action="remove-avatar" ?disabled=${this.busy} @click=${() => { this.draft = ''; this.problem = null; this.emit(null); }}>Remove avatar</button>` : nothing}
      </form>
      <p class="muted" id="avatar-help">A picture at a public https address. Customers see it beside the messages you send from now on; messages already sent keep the picture they had.</p>
      ${this.problem
        ? html`<p class="error" id="avatar-error" role="alert" data-error="avatar">${this.problem}</p>`
        : this.error
          ? html`<p class="error" role="alert" data-error="avatar">${this.error}</p>`
          : this.saved && !this.busy
            ? html`<p class="ok" role="status">Saved</p>`
            : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-profile': ProfileView;
  }
}
