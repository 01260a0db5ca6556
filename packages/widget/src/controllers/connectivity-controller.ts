import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * The browser's own idea of being online. The store's connection state is the truth for sync; this
 * one makes the offline banner appear at once, before a socket notices it is dead.
 */
export class ConnectivityController implements ReactiveController {
  online = typeof navigator === 'undefined' ? true : navigator.onLine;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    addEventListener('online', this.update);
    addEventListener('offline', this.update);
    this.update();
  }

  hostDisconnected(): void {
    removeEventListener('online', this.update);
    removeEventListener('offline', this.update);
  }

  private update = (): void => {
    if (navigator.onLine !== this.online) {
      this.online = navigator.onLine;
      this.host.requestUpdate();
    }
  };
}
