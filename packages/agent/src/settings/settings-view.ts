import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { MAX_ATTACHMENT_SIZE, MAX_QUICK_ACTIONS, MAX_QUICK_ACTION_LENGTH, attachmentLimitProblem, quickActionsProblem, type Announcement, type BusinessHours, type WorkspaceSettings } from '@parley/core';
import { theme } from '../ui/theme.js';
import { BYTES_PER_MB, bytesToMb, mbToBytes, moveItem } from './settings-fields.js';

/** Settings whose refusals core words, shown beside their field rather than in the save bar. */
type CheckedField = 'quickActions' | 'maxAttachmentBytes';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/**
 * Admin settings. Edits a local copy; "Save" emits `pa-save-settings` with the changed keys, so a
 * half-typed value never reaches customers. Announcements are saved one by one.
 */
@customElement('pa-settings')
export class SettingsView extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: block; padding: 16px 24px; max-width: 980px; }
      section { background: var(--pa-panel); border: 1px solid var(--pa-border); border-radius: var(--pa-radius); padding: 12px 16px; margin-bottom: 14px; }
      h2 { font-size: 15px; margin: 0 0 10px; }
      label { display: inline-grid; gap: 2px; margin: 0 12px 8px 0; font-size: 13px; }
      .row { display: flex; gap: 6px; align-items: end; flex-wrap: wrap; margin-bottom: 6px; }
      .row input[type='text'], .row textarea { min-width: 220px; }
      textarea { width: 100%; min-height: 48px; }
      .bar { position: sticky; bottom: 0; background: var(--pa-bg); padding: 10px 0; display: flex; gap: 10px; align-items: center; }
      .error { color: var(--pa-danger); }
      .ok { color: var(--pa-ok); }
      .field-error { color: var(--pa-danger); font-size: 13px; margin: 4px 0 8px; }
      [aria-invalid='true'] { border-color: var(--pa-danger); }
      .row input[name='quick-action'] { min-width: 320px; }
    `,
  ];

  @property({ attribute: false }) settings!: WorkspaceSettings;
  @property({ attribute: false }) announcements: readonly Announcement[] = [];
  @property() error = '';
  @state() private draft: WorkspaceSettings | null = null;
  @state() private saved = false;
  @state() private newAnnouncement = { text: '', level: 'info' as Announcement['level'], hours: 24 };
  /** What the admin typed in the MB field; kept as text so "2." survives a re-render mid-typing. */
  @state() private attachmentText: string | null = null;
  /** Fields the admin has left or tried to save: their problems show; a fresh blank row does not nag. */
  @state() private touched = new Set<CheckedField>();

  private get d(): WorkspaceSettings {
    this.draft ??= structuredClone(this.settings);
    return this.draft;
  }

  private edit(fn: (d: WorkspaceSettings) => void): void {
    const d = structuredClone(this.d);
    fn(d);
    this.draft = d;
    this.saved = false;
  }

  /** Core's reason each checked field would be refused, or null. */
  private get problems(): Record<CheckedField, string | null> {
    return { quickActions: quickActionsProblem(this.d.quickActions), maxAttachmentBytes: attachmentLimitProblem(this.d.maxAttachmentBytes) };
  }

  private touch(field: CheckedField): void {
    if (!this.touched.has(field)) this.touched = new Set([...this.touched, field]);
  }

  private save(): void {
    const problems = this.problems;
    const invalid = (Object.keys(problems) as CheckedField[]).filter((k) => problems[k] !== null);
    if (invalid.length > 0) {
      // Nothing is written while a field is wrong; the reasons are beside the fields.
      this.touched = new Set([...this.touched, ...invalid]);
      this.saved = false;
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    const changed: Partial<WorkspaceSettings> = {};
    for (const key of Object.keys(this.d) as (keyof WorkspaceSettings)[]) {
      if (JSON.stringify(this.d[key]) !== JSON.stringify(this.settings[key])) (changed as Record<string, unknown>)[key] = this.d[key];
    }
    this.dispatchEvent(new CustomEvent<Partial<WorkspaceSettings>>('pa-save-settings', { detail: changed, bubbles: true, composed: true }));
    this.saved = true;
  }

  private text(label: string, value: string, set: (d: WorkspaceSettings, v: string) => void, name = label): TemplateResult {
    return html`<label>${label}<input type="text" name=${name} .value=${value} @input=${(e: InputEvent) => this.edit((d) => set(d, (e.target as HTMLInputElement).value))} /></label>`;
  }

  private list<T>(items: readonly T[], blank: T, renderRow: (item: T, i: number) => TemplateResult, key: 'cannedReplies' | 'routingRules' | 'proactiveTriggers' | 'preChatFields'): TemplateResult {
    return html`${items.map((item, i) => html`<div class="row">${renderRow(item, i)}<button aria-label="Remove" @click=${() => this.edit((d) => (d[key] as unknown[]).splice(i, 1))}>Remove</button></div>`)}
      <button data-add=${key} @click=${() => this.edit((d) => (d[key] as unknown[]).push(structuredClone(blank)))}>Add</button>`;
  }

  private fieldError(field: CheckedField, id: string): TemplateResult | null {
    const problem = this.touched.has(field) ? this.problems[field] : null;
    return problem ? html`<p class="field-error" id=${id} role="alert" data-error=${field}>${problem}</p>` : null;
  }

  /** Moves quick action `i` by `by` and keeps focus on the same button of the moved row. */
  private async moveQuickAction(i: number, by: number, button: 'up' | 'down'): Promise<void> {
    this.edit((d) => (d.quickActions = moveItem(d.quickActions, i, by)));
    await this.updateComplete;
    const row = this.renderRoot.querySelector(`[data-quick-action="${i + by}"]`);
    // At either end the pressed button is disabled; the row's other move button takes focus.
    const target = row?.querySelector<HTMLButtonElement>(`button[data-move=${button}]:not([disabled])`) ?? row?.querySelector<HTMLButtonElement>('button[data-move]:not([disabled])');
    target?.focus();
  }

  private quickActions(actions: readonly string[]): TemplateResult {
    const invalid = this.touched.has('quickActions') && this.problems.quickActions !== null;
    const describedBy = invalid ? 'quick-actions-help quick-actions-error' : 'quick-actions-help';
    return html`<p class="muted" id="quick-actions-help">Buttons the widget offers before the first message; a tap sends the text as the customer's first message. Up to ${MAX_QUICK_ACTIONS}, each at most ${MAX_QUICK_ACTION_LENGTH} characters.</p>
      ${actions.map((q, i) => html`<div class="row" data-quick-action=${i}>
        <label>Quick action ${i + 1}<input type="text" name="quick-action" .value=${q} aria-describedby=${describedBy} aria-invalid=${invalid && (q.trim() === '' || q.length > MAX_QUICK_ACTION_LENGTH) ? 'true' : 'false'}
          @input=${(e: InputEvent) => this.edit((d) => (d.quickActions[i] = (e.target as HTMLInputElement).value))}
          @change=${() => this.touch('quickActions')} /></label>
        <button data-move="up" aria-label="Move quick action ${i + 1} up" ?disabled=${i === 0} @click=${() => void this.moveQuickAction(i, -1, 'up')}>↑</button>
        <button data-move="down" aria-label="Move quick action ${i + 1} down" ?disabled=${i === actions.length - 1} @click=${() => void this.moveQuickAction(i, 1, 'down')}>↓</button>
        <button data-remove="quick-action" aria-label="Remove quick action ${i + 1}" @click=${() => this.edit((d) => d.quickActions.splice(i, 1))}>Remove</button>
      </div>`)}
      <button data-add="quickActions" ?disabled=${actions.length >= MAX_QUICK_ACTIONS} @click=${async () => {
        this.edit((d) => d.quickActions.push(''));
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLInputElement>(`[data-quick-action="${actions.length}"] input`)?.focus();
      }}>Add quick action</button>
      ${this.fieldError('quickActions', 'quick-actions-error')}`;
  }

  private attachmentLimit(bytes: number): TemplateResult {
    const invalid = this.touched.has('maxAttachmentBytes') && this.problems.maxAttachmentBytes !== null;
    const max = MAX_ATTACHMENT_SIZE / BYTES_PER_MB;
    return html`<label>Largest attachment (MB)<input type="number" name="max-attachment-mb" min="0.01" max=${max} step="0.01" inputmode="decimal"
        .value=${this.attachmentText ?? bytesToMb(bytes)} aria-invalid=${invalid ? 'true' : 'false'}
        aria-describedby=${invalid ? 'attachment-help attachment-error' : 'attachment-help'}
        @input=${(e: InputEvent) => {
          const text = (e.target as HTMLInputElement).value;
          this.attachmentText = text;
          this.edit((d) => (d.maxAttachmentBytes = mbToBytes(text)));
        }}
        @change=${() => this.touch('maxAttachmentBytes')} /></label>
      <p class="muted" id="attachment-help">Customers see this limit before an upload starts, and the relay refuses larger files. More than 0, at most ${max} MB.</p>
      ${this.fieldError('maxAttachmentBytes', 'attachment-error')}`;
  }

  private hours(h: BusinessHours | null): TemplateResult {
    const enabled = h !== null;
    return html`<label><span><input type="checkbox" .checked=${enabled} @change=${(e: Event) => this.edit((d) => (d.businessHours = (e.target as HTMLInputElement).checked ? { timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, days: [1, 2, 3, 4, 5].map((day) => ({ day: day as 1, open: '09:00', close: '17:00' })) } : null))} /> Limit to business hours</span></label>
      ${h
        ? html`${this.text('Time zone', h.timezone, (d, v) => (d.businessHours!.timezone = v))}
            <div>${DAYS.map((name, day) => {
              const slot = h.days.find((x) => x.day === day);
              return html`<div class="row"><label style="min-width:60px"><span><input type="checkbox" .checked=${!!slot} @change=${(e: Event) => this.edit((d) => {
                const days = d.businessHours!.days.filter((x) => x.day !== day);
                if ((e.target as HTMLInputElement).checked) days.push({ day: day as 0, open: '09:00', close: '17:00' });
                d.businessHours!.days = days.sort((a, b) => a.day - b.day);
              })} /> ${name}</span></label>
              ${slot ? html`<input type="time" aria-label="${name} opens" .value=${slot.open} @change=${(e: Event) => this.edit((d) => (d.businessHours!.days.find((x) => x.day === day)!.open = (e.target as HTMLInputElement).value))} />–<input type="time" aria-label="${name} closes" .value=${slot.close} @change=${(e: Event) => this.edit((d) => (d.businessHours!.days.find((x) => x.day === day)!.close = (e.target as HTMLInputElement).value))} />` : html`<span class="muted">closed</span>`}</div>`;
            })}</div>`
        : null}`;
  }

  override render(): TemplateResult {
    const d = this.d;
    return html`
      <section><h2>Widget</h2>
        ${this.text('Workspace name', d.name, (x, v) => (x.name = v))}
        ${this.text('Launcher text', d.launcherText, (x, v) => (x.launcherText = v))}
        <label>Greeting<textarea name="greeting" .value=${d.greeting} @input=${(e: InputEvent) => this.edit((x) => (x.greeting = (e.target as HTMLTextAreaElement).value))}></textarea></label>
        <div class="row">
          ${(['primary', 'background', 'text'] as const).map((k) => html`<label>${k} colour<input type="color" name=${`color-${k}`} .value=${d.colors[k]} @input=${(e: InputEvent) => this.edit((x) => (x.colors[k] = (e.target as HTMLInputElement).value))} /></label>`)}
        </div>
      </section>
      <section><h2>Quick actions</h2>${this.quickActions(d.quickActions)}</section>
      <section><h2>Attachments</h2>${this.attachmentLimit(d.maxAttachmentBytes)}</section>
      <section><h2>Languages</h2>
        ${this.text('Languages (comma separated)', d.languages.join(', '), (x, v) => (x.languages = v.split(',').map((s) => s.trim()).filter(Boolean)), 'languages')}
        ${this.text('Default', d.defaultLanguage, (x, v) => (x.defaultLanguage = v.trim()), 'defaultLanguage')}
      </section>
      <section><h2>Business hours</h2>${this.hours(d.businessHours)}</section>
      <section><h2>Pre-chat fields</h2>
        ${this.list(d.preChatFields, { name: '', label: '', type: 'text' as const, required: false }, (f, i) => html`
          <label>Name<input type="text" .value=${f.name} @input=${(e: InputEvent) => this.edit((x) => (x.preChatFields[i]!.name = (e.target as HTMLInputElement).value))} /></label>
          <label>Label<input type="text" .value=${f.label} @input=${(e: InputEvent) => this.edit((x) => (x.preChatFields[i]!.label = (e.target as HTMLInputElement).value))} /></label>
          <label>Type<select .value=${f.type} @change=${(e: Event) => this.edit((x) => (x.preChatFields[i]!.type = (e.target as HTMLSelectElement).value as 'text'))}>${['text', 'email', 'tel', 'select'].map((t) => html`<option ?selected=${t === f.type}>${t}</option>`)}</select></label>
          <label><span><input type="checkbox" .checked=${f.required} @change=${(e: Event) => this.edit((x) => (x.preChatFields[i]!.required = (e.target as HTMLInputElement).checked))} /> required</span></label>`, 'preChatFields')}
      </section>
      <section><h2>Canned replies</h2>
        <p class="muted">Type <code>/shortcut</code> in the composer. Variables: <code>{{customer.name}}</code>, <code>{{customer.email}}</code>, <code>{{agent.name}}</code>.</p>
        ${this.list(d.cannedReplies, { shortcut: '', text: '' }, (c, i) => html`
          <label>Shortcut<input type="text" name="canned-shortcut" .value=${c.shortcut} @input=${(e: InputEvent) => this.edit((x) => (x.cannedReplies[i]!.shortcut = (e.target as HTMLInputElement).value.replace(/^\//, '')))} /></label>
          <label style="flex:1">Text<textarea name="canned-text" .value=${c.text} @input=${(e: InputEvent) => this.edit((x) => (x.cannedReplies[i]!.text = (e.target as HTMLTextAreaElement).value))}></textarea></label>`, 'cannedReplies')}
      </section>
      <section><h2>Routing rules</h2>
        <p class="muted">The first rule whose conditions all hold routes a new conversation to its team.</p>
        ${this.list(d.routingRules, { team: '' }, (r, i) => html`
          <label>Keywords<input type="text" .value=${(r.keywords ?? []).join(', ')} @input=${(e: InputEvent) => this.edit((x) => { const k = (e.target as HTMLInputElement).value.split(',').map((s) => s.trim()).filter(Boolean); if (k.length) x.routingRules[i]!.keywords = k; else delete x.routingRules[i]!.keywords; })} /></label>
          <label>Page URL pattern<input type="text" .value=${r.urlPattern ?? ''} @input=${(e: InputEvent) => this.edit((x) => { const v = (e.target as HTMLInputElement).value; if (v) x.routingRules[i]!.urlPattern = v; else delete x.routingRules[i]!.urlPattern; })} /></label>
          <label>Language<input type="text" size="4" .value=${r.language ?? ''} @input=${(e: InputEvent) => this.edit((x) => { const v = (e.target as HTMLInputElement).value; if (v) x.routingRules[i]!.language = v; else delete x.routingRules[i]!.language; })} /></label>
          <label>Team<input type="text" .value=${r.team} @input=${(e: InputEvent) => this.edit((x) => (x.routingRules[i]!.team = (e.target as HTMLInputElement).value))} /></label>`, 'routingRules')}
      </section>
      <section><h2>Proactive messages</h2>
        ${this.list(d.proactiveTriggers, { id: '', message: '', afterSeconds: 30 }, (t, i) => html`
          <label>After (s)<input type="number" min="0" .value=${String(t.afterSeconds ?? '')} @input=${(e: InputEvent) => this.edit((x) => (x.proactiveTriggers[i]!.afterSeconds = Number((e.target as HTMLInputElement).value)))} /></label>
          <label>Page URL pattern<input type="text" .value=${t.urlPattern ?? ''} @input=${(e: InputEvent) => this.edit((x) => { const v = (e.target as HTMLInputElement).value; if (v) x.proactiveTriggers[i]!.urlPattern = v; else delete x.proactiveTriggers[i]!.urlPattern; })} /></label>
          <label style="flex:1">Message<input type="text" .value=${t.message} @input=${(e: InputEvent) => this.edit((x) => { x.proactiveTriggers[i]!.message = (e.target as HTMLInputElement).value; x.proactiveTriggers[i]!.id ||= `t${Date.now().toString(36)}`; })} /></label>`, 'proactiveTriggers')}
      </section>
      <div class="bar">
        <button class="primary" data-action="save-settings" @click=${this.save}>Save settings</button>
        ${this.error
          ? html`<span class="error" role="alert">${this.error}</span>`
          : this.saved
            ? html`<span class="ok" role="status">Saved</span>`
            : (Object.values(this.problems).some((p) => p !== null) && this.touched.size > 0)
              ? html`<span class="error" data-blocked>Not saved: correct the fields marked above.</span>`
              : null}
      </div>
      <section><h2>Announcements</h2>
        ${this.announcements.map((a) => html`<div class="row"><strong>${a.level}</strong> ${a.text} <span class="muted">${a.endsAt ? `until ${new Date(a.endsAt).toLocaleString()}` : 'until removed'}</span>
          <button @click=${() => this.dispatchEvent(new CustomEvent<string>('pa-remove-announcement', { detail: a.id, bubbles: true, composed: true }))}>Remove</button></div>`)}
        <div class="row">
          <label style="flex:1">Text<input type="text" name="announcement" .value=${this.newAnnouncement.text} @input=${(e: InputEvent) => (this.newAnnouncement = { ...this.newAnnouncement, text: (e.target as HTMLInputElement).value })} /></label>
          <label>Level<select @change=${(e: Event) => (this.newAnnouncement = { ...this.newAnnouncement, level: (e.target as HTMLSelectElement).value as Announcement['level'] })}><option>info</option><option>warning</option><option>outage</option></select></label>
          <label>Hours<input type="number" min="1" .value=${String(this.newAnnouncement.hours)} @input=${(e: InputEvent) => (this.newAnnouncement = { ...this.newAnnouncement, hours: Number((e.target as HTMLInputElement).value) || 24 })} /></label>
          <button @click=${() => {
            const now = Date.now();
            this.dispatchEvent(new CustomEvent('pa-add-announcement', { detail: { text: this.newAnnouncement.text, level: this.newAnnouncement.level, startsAt: now, endsAt: now + this.newAnnouncement.hours * 3_600_000 }, bubbles: true, composed: true }));
            this.newAnnouncement = { ...this.newAnnouncement, text: '' };
          }}>Publish</button>
        </div>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-settings': SettingsView;
  }
}
