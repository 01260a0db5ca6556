/**
 * Finds sockets whose peer vanished without a word: a phone that left the Wi-Fi, a laptop that
 * went to sleep, a NAT that forgot the mapping. No FIN ever arrives for those, and with nothing to
 * send the kernel never notices either, so the relay would hold the socket, its documents and the
 * peer's presence ("customer is online") for as long as the process lives.
 *
 * Each socket is pinged once per interval; one that has sent nothing (no frame, no pong) since
 * its previous ping is terminated, and the relay then closes it like any other. A live peer's
 * websocket stack answers pings by itself, browsers included, so no client code is involved.
 *
 * The interval is swept in slices: the sockets are spread over SLICES groups and one group is
 * pinged every interval / SLICES, so 50,000 sockets never mean 50,000 writes in one turn of the
 * event loop (a latency spike for everyone being served at that moment).
 */
import type { WebSocket } from 'ws';

/** y-websocket's server and most proxies' idle timeouts are 30-60 s; this keeps well inside them. */
export const DEFAULT_HEARTBEAT_MS = 30_000;
const SLICES = 10;

interface Watched {
  ws: WebSocket;
  /** something arrived from the peer since the last ping */
  heard: boolean;
}

export interface Heartbeat {
  /** Follows `ws` until it closes; returns the function to call when a frame arrives. */
  watch(ws: WebSocket): () => void;
  /** Sockets terminated because their peer stopped answering. */
  readonly terminated: number;
  stop(): void;
}

export function createHeartbeat(intervalMs: number = DEFAULT_HEARTBEAT_MS): Heartbeat {
  const slices: Set<Watched>[] = Array.from({ length: SLICES }, () => new Set());
  let next = 0;
  let sweeping = 0;
  let terminated = 0;

  const sweep = (): void => {
    const slice = slices[sweeping]!;
    sweeping = (sweeping + 1) % SLICES;
    for (const watched of slice) {
      if (!watched.heard) {
        terminated++;
        slice.delete(watched);
        // Not close(): a close handshake waits for an answer that will not come.
        watched.ws.terminate();
        continue;
      }
      watched.heard = false;
      // A socket already closing throws no error here; its 'close' removes it from the slice.
      watched.ws.ping();
    }
  };
  // 0 turns it off (a relay behind a proxy that already pings, or a benchmark of the bare relay).
  const timer = intervalMs > 0 ? setInterval(sweep, Math.max(1, Math.round(intervalMs / SLICES))) : null;
  // The heartbeat alone never keeps a relay process alive.
  timer?.unref();

  return {
    watch(ws) {
      // Counted as heard, so its slice's next sweep pings it: a peer always has a full interval to answer.
      const watched: Watched = { ws, heard: true };
      const slice = slices[next]!;
      next = (next + 1) % SLICES;
      slice.add(watched);
      const heard = (): void => {
        watched.heard = true;
      };
      ws.on('pong', heard);
      ws.once('close', () => slice.delete(watched));
      return heard;
    },
    get terminated() {
      return terminated;
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
