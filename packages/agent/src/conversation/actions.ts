/** What an agent can do to a conversation; the view emits these, the controller applies them. */
export type ConversationAction =
  | { type: 'assign'; agent: { id: string; name: string } | null; team: string | null }
  | { type: 'resolve' }
  | { type: 'reopen' }
  | { type: 'snooze'; until: number }
  | { type: 'labels'; labels: string[] }
  | { type: 'priority'; priority: 'low' | 'normal' | 'high' | 'urgent' };

/** Snooze presets: until tomorrow 9:00 local time, or a number of hours from now. */
export function snoozeUntil(preset: '1h' | '4h' | 'tomorrow', now = new Date()): number {
  if (preset === 'tomorrow') {
    const t = new Date(now);
    t.setDate(t.getDate() + 1);
    t.setHours(9, 0, 0, 0);
    return t.getTime();
  }
  return now.getTime() + (preset === '1h' ? 1 : 4) * 3_600_000;
}

/** Local time of the customer, e.g. "14:05 (Europe/Helsinki)"; empty when the zone is unknown or invalid. */
export function localTime(timeZone: string, at = new Date()): string {
  if (!timeZone) return '';
  try {
    return `${at.toLocaleTimeString('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' })} (${timeZone})`;
  } catch {
    return '';
  }
}
