/**
 * Keyboard shortcuts: one table that both the key handler and the `?` help overlay read, so the
 * help can never drift from what the keys do.
 */

export type Command =
  | 'help'
  | 'search'
  | 'next'
  | 'previous'
  | 'reply'
  | 'note'
  | 'assignMe'
  | 'resolve'
  | 'reopen'
  | 'closeTab'
  | 'nextTab'
  | 'inbox'
  | 'reports'
  | 'settings';

export interface Shortcut {
  key: string;
  command: Command;
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { key: '?', command: 'help', description: 'Show this help' },
  { key: '/', command: 'search', description: 'Search conversations' },
  { key: 'j', command: 'next', description: 'Next conversation' },
  { key: 'k', command: 'previous', description: 'Previous conversation' },
  { key: 'r', command: 'reply', description: 'Reply' },
  { key: 'n', command: 'note', description: 'Write a private note' },
  { key: 'a', command: 'assignMe', description: 'Assign to me' },
  { key: 'e', command: 'resolve', description: 'Resolve' },
  { key: 'o', command: 'reopen', description: 'Reopen' },
  { key: 'x', command: 'closeTab', description: 'Close this tab' },
  { key: ']', command: 'nextTab', description: 'Next tab' },
  { key: 'g i', command: 'inbox', description: 'Go to inbox' },
  { key: 'g r', command: 'reports', description: 'Go to reports' },
  { key: 'g s', command: 'settings', description: 'Go to settings (admins)' },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** the element the key went to; typing in a field must never trigger a shortcut */
  target: { tagName?: string; isContentEditable?: boolean } | null;
}

/**
 * Turns key presses into commands. Two-key sequences (`g i`) wait for their second key; any other
 * key resets. Returns the command, or null when the key is not a shortcut here.
 */
export function createKeymap(shortcuts: readonly Shortcut[] = SHORTCUTS): (e: KeyLike) => Command | null {
  let prefix = '';
  return (e) => {
    const tag = e.target?.tagName?.toUpperCase() ?? '';
    if (e.ctrlKey || e.metaKey || e.altKey || tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.target?.isContentEditable) {
      prefix = '';
      return null;
    }
    const typed = prefix ? `${prefix} ${e.key}` : e.key;
    const hit = shortcuts.find((s) => s.key === typed);
    if (hit) {
      prefix = '';
      return hit.command;
    }
    prefix = shortcuts.some((s) => s.key.startsWith(`${typed} `)) ? typed : '';
    return null;
  };
}
