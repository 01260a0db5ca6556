import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Below this width the widget takes the whole screen instead of floating as a panel. */
export const MOBILE_MAX_WIDTH = 640;

/**
 * Watches the layout viewport (mobile or not) and the visual viewport: when the on-screen keyboard
 * opens, the visual viewport shrinks and the host gets its height as `--parley-vvh`, so the
 * composer stays above the keyboard.
 */
export class ViewportController implements ReactiveController {
  mobile = false;
  private query: MediaQueryList | undefined;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    this.query = matchMedia(`(max-width: ${MOBILE_MAX_WIDTH - 0.02}px)`);
    this.query.addEventListener('change', this.onMedia);
    visualViewport?.addEventListener('resize', this.onVisual);
    visualViewport?.addEventListener('scroll', this.onVisual);
    this.onMedia();
    this.onVisual();
  }

  hostDisconnected(): void {
    this.query?.removeEventListener('change', this.onMedia);
    visualViewport?.removeEventListener('resize', this.onVisual);
    visualViewport?.removeEventListener('scroll', this.onVisual);
  }

  private onMedia = (): void => {
    const mobile = this.query?.matches ?? false;
    if (mobile !== this.mobile) {
      this.mobile = mobile;
      this.host.requestUpdate();
    }
  };

  private onVisual = (): void => {
    const vv = visualViewport;
    if (!vv) return;
    this.host.style.setProperty('--parley-vvh', `${vv.height}px`);
    this.host.style.setProperty('--parley-vvtop', `${vv.offsetTop}px`);
  };
}
