import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { I18n } from '../i18n/locale.js';
import type { ChatMessage, Delivery } from '../model.js';

/** Ticks as in messaging apps; the words go to screen readers, the symbols are only decoration. */
const ticks: Record<Delivery, string> = { pending: '○', sent: '✓', delivered: '✓✓', read: '✓✓' };

export function renderMessages(messages: readonly ChatMessage[], i18n: I18n, now = Date.now()): TemplateResult {
  // Order is the document's (causal) order; day separators only appear where the day changes.
  let lastDay = '';
  const rows: { key: string; m?: ChatMessage; day?: string }[] = [];
  for (const m of messages) {
    const day = i18n.day(m.at, now);
    if (day !== lastDay) rows.push({ key: `day-${m.id}`, day });
    lastDay = day;
    rows.push({ key: m.id, m });
  }
  return html`<ol class="messages">
    ${repeat(
      rows,
      (r) => r.key,
      (r) => (r.m ? renderMessage(r.m, i18n) : html`<li class="day">${r.day}</li>`),
    )}
  </ol>`;
}

function renderMessage(m: ChatMessage, i18n: I18n): TemplateResult {
  if (m.kind === 'event' || m.role === 'system') return html`<li class="event" data-id=${m.id}>${eventText(m, i18n)}</li>`;
  const mine = m.role === 'customer';
  const author = mine ? i18n.t('you') : (m.authorName ?? i18n.t('support'));
  return html`<li class="msg ${mine ? 'mine' : 'theirs'}" data-id=${m.id} data-delivery=${m.delivery ?? nothing}>
    ${mine ? nothing : renderAvatar(m)}
    <div class="bubble">
      ${mine ? html`<span class="sr-only">${author}: </span>` : html`<span class="author">${author}</span>`}
      ${m.kind === 'attachment' && m.attachment ? renderAttachment(m, i18n) : html`<span class="text">${m.text}</span>`}
      <span class="meta"
        ><time datetime=${new Date(m.at).toISOString()}>${i18n.time(m.at)}</time>
        ${m.delivery
          ? html`<span class="tick ${m.delivery}" aria-hidden="true">${ticks[m.delivery]}</span><span class="sr-only">${i18n.t(m.delivery)}</span>`
          : nothing}</span
      >
    </div>
  </li>`;
}

function renderAvatar(m: ChatMessage): TemplateResult {
  const initial = (m.authorName ?? '?').trim().charAt(0).toUpperCase();
  // The picture covers the initial; if it fails to load (moved, offline, blocked) it hides itself
  // and the initial shows. No referrer: the image host need not learn which page the chat is on.
  return html`<span class="avatar" aria-hidden="true"
    >${initial}${m.avatarUrl ? html`<img src=${m.avatarUrl} alt="" referrerpolicy="no-referrer" @error=${hideBroken} />` : nothing}</span
  >`;
}

function hideBroken(e: Event): void {
  (e.target as HTMLImageElement).hidden = true;
}

function renderAttachment(m: ChatMessage, i18n: I18n): TemplateResult {
  const a = m.attachment!;
  const status = a.uploading ? html`<span class="meta">${i18n.t('uploadQueued')}</span>` : nothing;
  if (a.type.startsWith('image/') && a.url) {
    return html`<img src=${a.url} alt=${i18n.t('image', { name: a.name })} loading="lazy" />${status}`;
  }
  const label = `${i18n.t('file', { name: a.name })} (${i18n.bytes(a.size)})`;
  return a.url ? html`<a href=${a.url} download=${a.name}>${label}</a>${status}` : html`<span>${label}</span>${status}`;
}

function eventText(m: ChatMessage, i18n: I18n): string {
  switch (m.event?.type) {
    case 'resolved':
      return i18n.t('eventResolved');
    case 'reopened':
      return i18n.t('eventReopened');
    case 'joined':
      return i18n.t('eventJoined', { name: m.event.name ?? i18n.t('support') });
    default:
      return m.text;
  }
}
