import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ProactiveRule } from '../model.js';

/**
 * Proactive invitations: the first rule whose URL pattern matches this page shows its message by
 * the launcher after its delay, once, unless the panel is open or the customer already talks to us.
 */
export class InvitationController implements ReactiveController {
  /** the message shown by the launcher, '' for none */
  message = '';
  private timers: ReturnType<typeof setTimeout>[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly canShow: () => boolean,
  ) {
    host.addController(this);
  }

  /** (Re)plans the invitations for these rules; call when settings or the conversation list change. */
  schedule(rules: readonly ProactiveRule[], hasConversations: boolean, href = location.href): void {
    this.cancel();
    if (hasConversations) return;
    for (const rule of rules) {
      if (rule.path && !matchesUrlPattern(rule.path, href)) continue;
      this.timers.push(
        setTimeout(() => {
          if (this.canShow() && !this.message) {
            this.message = rule.message;
            this.host.requestUpdate();
          }
        }, rule.afterSeconds * 1000),
      );
    }
  }

  dismiss(): void {
    if (!this.message) return;
    this.message = '';
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.cancel();
  }

  private cancel(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}

/** `*` matches any run of characters; the pattern must match the whole URL or its path (as core's triggers do). */
export function matchesUrlPattern(pattern: string, href: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  const url = new URL(href);
  return re.test(href) || re.test(url.pathname + url.search);
}
