import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AgentSync, ConnectionState } from '../sync/sync-port.js';

/** The socket's state for the offline indicator; re-renders the host when it changes. */
export class ConnectionController implements ReactiveController {
  state: ConnectionState;
  private stop: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly sync: AgentSync,
  ) {
    this.state = sync.connection;
    host.addController(this);
  }

  hostConnected(): void {
    this.state = this.sync.connection;
    this.stop = this.sync.onConnection((state) => {
      this.state = state;
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.stop?.();
  }
}
