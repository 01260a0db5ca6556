import type { ReactiveController, ReactiveControllerHost } from 'lit';

const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])';

/**
 * Keyboard for a modal panel inside a shadow root: while `active()`, Tab and Shift+Tab cycle
 * through the panel's controls (never out to the host page) and Escape calls `onEscape`.
 */
export class FocusTrapController implements ReactiveController {
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly panel: () => Element | null,
    private readonly active: () => boolean,
    private readonly onEscape: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    addEventListener('keydown', this.onKey);
  }

  hostDisconnected(): void {
    removeEventListener('keydown', this.onKey);
  }

  /** Visible, enabled controls of the panel in tab order. */
  focusables(): HTMLElement[] {
    const panel = this.panel();
    if (!panel) return [];
    return Array.from(panel.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
      (el) => !el.hasAttribute('disabled') && !(el instanceof HTMLInputElement && el.type === 'file') && el.getClientRects().length > 0,
    );
  }

  private onKey = (e: KeyboardEvent): void => {
    if (!this.active()) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      this.onEscape();
      return;
    }
    if (e.key !== 'Tab') return;
    const focusables = this.focusables();
    if (!focusables.length) return;
    const active = this.host.shadowRoot?.activeElement;
    const first = focusables[0]!;
    const last = focusables[focusables.length - 1]!;
    if (e.shiftKey && (active === first || !active)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !active)) {
      e.preventDefault();
      first.focus();
    }
  };
}
