/**
 * Tabs of one browser share the signed-in session. The session lives in sessionStorage (gone when
 * the browser session ends), which a new tab does not inherit; so a tab without one asks the
 * others over a BroadcastChannel, and a tab that signs out tells the others to do the same.
 * Only tabs of this origin can hear the channel.
 */
import type { Session } from './session.js';

type Message = { type: 'ask' } | { type: 'session'; session: Session } | { type: 'signed-out' };

export interface SessionShare {
  /** Resolves with another tab's session, or null when none answers within `timeoutMs`. */
  ask(timeoutMs?: number): Promise<Session | null>;
  /** Answer other tabs' questions with this session (null: stay silent). */
  provide(current: () => Session | null): void;
  signedOut(): void;
  onSignedOut(listener: () => void): void;
  close(): void;
}

export function createSessionShare(name = 'parley-agent-session'): SessionShare {
  const channel = new BroadcastChannel(name);
  let current: () => Session | null = () => null;
  let signedOutListener: (() => void) | null = null;
  const waiting = new Set<(s: Session) => void>();
  channel.onmessage = (e: MessageEvent<Message>) => {
    const m = e.data;
    if (m.type === 'ask') {
      const s = current();
      if (s) channel.postMessage({ type: 'session', session: s } satisfies Message);
    } else if (m.type === 'session') {
      for (const w of waiting) w(m.session);
    } else if (m.type === 'signed-out') {
      signedOutListener?.();
    }
  };
  return {
    ask(timeoutMs = 400) {
      return new Promise((resolve) => {
        const done = (s: Session | null): void => {
          waiting.delete(done);
          clearTimeout(timer);
          resolve(s);
        };
        const timer = setTimeout(() => done(null), timeoutMs);
        waiting.add(done);
        channel.postMessage({ type: 'ask' } satisfies Message);
      });
    },
    provide(fn) {
      current = fn;
    },
    signedOut() {
      channel.postMessage({ type: 'signed-out' } satisfies Message);
    },
    onSignedOut(listener) {
      signedOutListener = listener;
    },
    close() {
      waiting.clear();
      channel.close();
    },
  };
}
