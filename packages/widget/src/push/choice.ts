/**
 * What the entry needs to know about Web Push without loading it: whether the browser can do it,
 * and what this customer answered on this browser (kept per workspace in localStorage).
 */
export type PushAvailability = 'unsupported' | 'denied' | 'available';
export type PushChoice = 'enabled' | 'declined';

/** Only where the browser can do it and the customer has not said no for this site. */
export function pushAvailability(): PushAvailability {
  if (typeof window === 'undefined' || !('PushManager' in window) || !('serviceWorker' in navigator) || typeof Notification === 'undefined') return 'unsupported';
  return Notification.permission === 'denied' ? 'denied' : 'available';
}

const choiceKey = (ws: string): string => `parley:push:${ws}`;

export function readChoice(ws: string): PushChoice | null {
  try {
    const v = localStorage.getItem(choiceKey(ws));
    return v === 'enabled' || v === 'declined' ? v : null;
  } catch {
    return null;
  }
}

export function writeChoice(ws: string, choice: PushChoice): void {
  try {
    localStorage.setItem(choiceKey(ws), choice);
  } catch {
    // Private mode: the offer may come back on the next visit; harmless.
  }
}

/** The widget's session token for this workspace (push subscriptions are saved for that customer). */
export function readToken(ws: string): string | null {
  try {
    return localStorage.getItem(`parley:session:${ws}`);
  } catch {
    return null;
  }
}
