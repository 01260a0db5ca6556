import { html, nothing, type TemplateResult } from 'lit';
import type { I18n } from '../i18n/locale.js';
import { localeNames, locales } from '../i18n/catalog.js';
import type { PreChatField } from '../model.js';
import type { StartFields } from '../store/chat-store.js';

export function renderPreChat(fields: readonly PreChatField[], i18n: I18n, onSubmit: (values: StartFields) => void): TemplateResult {
  const submit = (e: SubmitEvent): void => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const values: StartFields = {};
    for (const f of fields) {
      const v = data.get(f.name);
      if (typeof v === 'string' && v.trim()) values[f.name] = v.trim();
    }
    onSubmit(values);
  };
  return html`<form class="fields" @submit=${submit}>
    <h3>${i18n.t('preChatTitle')}</h3>
    ${fields.map((f) => {
      const label = html`${i18n.t(f.name)} ${f.required ? html`<span>${i18n.t('required')}</span>` : nothing}`;
      if (f.name === 'language') {
        return html`<label
          >${label}<select name="language" ?required=${f.required}>
            ${locales.map((l) => html`<option value=${l} ?selected=${l === i18n.locale}>${localeNames[l]}</option>`)}
          </select></label
        >`;
      }
      return html`<label
        >${label}<input
          name=${f.name}
          type=${f.name === 'email' ? 'email' : 'text'}
          autocomplete=${f.name === 'email' ? 'email' : 'name'}
          ?required=${f.required}
      /></label>`;
    })}
    <button class="primary" type="submit">${i18n.t('start')}</button>
  </form>`;
}

export function renderRating(i18n: I18n, rated: boolean, onSubmit: (score: number, comment?: string) => void): TemplateResult {
  if (rated) return html`<p role="status">${i18n.t('thanks')}</p>`;
  const submit = (e: SubmitEvent): void => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const score = Number(data.get('score'));
    const comment = String(data.get('comment') ?? '').trim();
    if (score >= 1 && score <= 5) onSubmit(score, comment || undefined);
  };
  return html`<form class="rating" @submit=${submit}>
    <fieldset>
      <legend>${i18n.t('rateTitle')}</legend>
      ${[1, 2, 3, 4, 5].map(
        (n) => html`<label
          ><input type="radio" name="score" value=${n} required /><span class="star" aria-hidden="true">${i18n.number(n)}</span
          ><span class="sr-only">${i18n.t('rateScore', { n })}</span></label
        >`,
      )}
    </fieldset>
    <label>${i18n.t('comment')}<textarea name="comment" rows="2"></textarea></label>
    <button class="primary" type="submit">${i18n.t('sendRating')}</button>
  </form>`;
}
