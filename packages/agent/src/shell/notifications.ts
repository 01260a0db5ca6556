import type { InboxItem } from '../inbox/inbox-query.js';

/** all: every new conversation and reply; mine: new conversations and replies in mine or unassigned; off. */
export type NotifyPreference = 'all' | 'mine' | 'off';

export function shouldNotify(pref: NotifyPreference, item: InboxItem, kind: 'new-conversation' | 'new-message', me: string, focused: boolean): boolean {
  if (pref === 'off' || focused) return false;
  if (pref === 'all' || kind === 'new-conversation') return true;
  return item.assignee === me || item.assignee === null;
}

/** Shows a desktop notification when the preference asks for one and the browser allows it. */
export function notify(
  pref: NotifyPreference,
  item: InboxItem,
  kind: 'new-conversation' | 'new-message',
  ctx: { me: string; focused: boolean; open: (doc: string) => void },
): void {
  if (!shouldNotify(pref, item, kind, ctx.me, ctx.focused)) return;
  if (!('Notification' in globalThis) || Notification.permission !== 'granted') return;
  const title = kind === 'new-conversation' ? `New conversation: ${item.customerName || 'Visitor'}` : `${item.customerName || 'Visitor'} replied`;
  // One notification per conversation: a newer one replaces the older instead of stacking up.
  const n = new Notification(title, { body: item.preview, tag: item.doc });
  n.onclick = () => {
    window.focus();
    ctx.open(item.doc);
    n.close();
  };
}
