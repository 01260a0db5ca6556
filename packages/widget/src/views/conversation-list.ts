import { html, type TemplateResult } from 'lit';
import type { I18n } from '../i18n/locale.js';
import type { ConversationSummary } from '../model.js';

export function renderConversationList(list: readonly ConversationSummary[], i18n: I18n, onOpen: (id: string) => void): TemplateResult {
  if (list.length === 0) return html`<p>${i18n.t('noConversations')}</p>`;
  return html`<h3 class="sr-only">${i18n.t('conversations')}</h3>
    <ul class="list">
      ${list.map(
        (c) => html`<li>
          <button type="button" data-conversation=${c.id} @click=${() => onOpen(c.id)}>
            <span class="when">${i18n.day(c.updatedAt) === i18n.day(Date.now()) ? i18n.time(c.updatedAt) : i18n.day(c.updatedAt)}</span>
            ${c.unread > 0 ? html`<span class="count">${i18n.t('unread', { n: c.unread })}</span>` : ''}
            <span class="preview">${c.lastRole === 'customer' ? `${i18n.t('you')}: ` : ''}${c.lastText}</span>
          </button>
        </li>`,
      )}
    </ul>`;
}
