/**
 * A browser WebSocket that believes the browser about the network. A socket can stay "open" for
 * a long time after the network went away (until TCP gives up), and some network emulation never
 * closes it at all. When the browser fires `offline`, this socket reports a lost connection (1006)
 * at once; while the browser says it is offline, new sockets fail without trying. Core's client
 * then shows offline, keeps its outbox, and reconnects on `online`.
 */
import type { WebSocketConstructor, WebSocketLike } from '@parley/core';

const CLOSED = 3;
/** What a dropped connection looks like to a client (abnormal closure). */
const ABNORMAL = 1006;
/** Application range, for closing the real socket ourselves; never seen by the client. */
const WENT_OFFLINE = 3000;

export function offlineAwareWebSocket(win: Window = window): WebSocketConstructor {
  return class OfflineAwareSocket implements WebSocketLike {
    onopen: WebSocketLike['onopen'] = null;
    onmessage: WebSocketLike['onmessage'] = null;
    onclose: WebSocketLike['onclose'] = null;
    onerror: WebSocketLike['onerror'] = null;
    private readonly inner: WebSocket | null = null;
    private finished = false;
    private type: BinaryType = 'arraybuffer';

    constructor(url: string) {
      if (!win.navigator.onLine) {
        setTimeout(() => this.finish(ABNORMAL, 'the browser is offline'), 0);
        return;
      }
      const ws = new WebSocket(url);
      ws.binaryType = this.type;
      ws.onopen = (e: Event) => this.onopen?.(e);
      ws.onmessage = (e: MessageEvent) => this.onmessage?.(e);
      ws.onerror = (e: Event) => this.onerror?.(e);
      ws.onclose = (e: CloseEvent) => this.finish(e.code, e.reason);
      this.inner = ws;
      win.addEventListener('offline', this.onOffline);
    }

    get binaryType(): string {
      return this.type;
    }
    set binaryType(value: string) {
      this.type = value as BinaryType;
      if (this.inner) this.inner.binaryType = this.type;
    }

    get readyState(): number {
      return this.finished ? CLOSED : (this.inner?.readyState ?? CLOSED);
    }

    get bufferedAmount(): number {
      return this.inner?.bufferedAmount ?? 0;
    }

    send(data: Uint8Array): void {
      this.inner?.send(data);
    }

    close(code?: number, reason?: string): void {
      this.inner?.close(code, reason);
    }

    private readonly onOffline = (): void => {
      if (this.inner) {
        this.inner.onclose = null;
        this.inner.close(WENT_OFFLINE, 'the browser went offline');
      }
      this.finish(ABNORMAL, 'the browser went offline');
    };

    private finish(code: number, reason: string): void {
      if (this.finished) return;
      this.finished = true;
      win.removeEventListener('offline', this.onOffline);
      this.onclose?.({ code, reason });
    }
  };
}
