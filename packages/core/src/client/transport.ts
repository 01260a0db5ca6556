/**
 * What the client needs from a websocket. Both the browser's WebSocket and the `ws` package fit;
 * tests and the fuzz harness pass in-memory sockets. Structural and small on purpose.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  /** bytes sent but not yet handed to the network (browsers and ws have it; in-memory test sockets may not) */
  readonly bufferedAmount?: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/**
 * A websocket class: `globalThis.WebSocket` in browsers, `ws`'s default export in Node 20.
 * Typed loosely because the DOM and `ws` declare their event handler properties differently;
 * what the client uses of the instance is `WebSocketLike`.
 */
export type WebSocketConstructor = new (url: string) => object;

export const OPEN = 1;

/** Frames arrive as ArrayBuffer (browsers, ws with binaryType 'arraybuffer') or Uint8Array (Buffer). */
export function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return null;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
