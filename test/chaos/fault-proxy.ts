/**
 * A TCP proxy on 127.0.0.1 that sits between clients and a relay and misbehaves on command:
 * latency, a bandwidth cap, connections cut in the middle of a frame, a blackhole (bytes stop
 * flowing but nobody hangs up, like a dead Wi-Fi), stranded connections (dead for good and never
 * closed, like a phone that left the network), and refusing new connections (a partition).
 * One proxy per group of clients partitions that group while the others carry on.
 */
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Faults {
  /** added one way, per chunk, order kept */
  latencyMs: number;
  /** per direction per connection; 0 = unlimited */
  bytesPerSecond: number;
  /** hold every byte (both ways) until healed; connections stay open */
  blackhole: boolean;
  /** new connections are accepted then reset at once, like an unreachable relay */
  refuse: boolean;
}

export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;
  readonly faults: Readonly<Faults>;
  /** open client connections */
  readonly connections: number;
  set(faults: Partial<Faults>): void;
  /** Cuts every open connection: the next chunk each way is forwarded only halfway, then both ends are destroyed. */
  cutMidFrame(): Promise<void>;
  /**
   * Every open connection goes dead for good: bytes both ways are dropped, and neither end hears
   * that the other closed (as when a phone leaves the Wi-Fi or a NAT forgets the mapping). New
   * connections are not affected. Healing does not revive stranded ones.
   */
  strand(): void;
  /** Stranded connections whose client / relay side has closed its socket (each side's own liveness check). */
  readonly strandedClosedBy: { readonly client: number; readonly relay: number };
  /** Every fault off: latency 0, unlimited, no blackhole, accepting. */
  heal(): void;
  close(): Promise<void>;
}

const NONE: Faults = { latencyMs: 0, bytesPerSecond: 0, blackhole: false, refuse: false };

interface Pipe {
  client: Socket;
  upstream: Socket;
  /** set by cutMidFrame: forward half of the next chunk, then destroy */
  cut: (() => void) | null;
  stranded: boolean;
}

/** One direction of one connection: chunks leave in order, no earlier than their release time. */
function createLane(to: Socket, faults: () => Faults, pipe: Pipe) {
  const queue: { at: number; chunk: Buffer }[] = [];
  let lastRelease = 0;
  let timer: NodeJS.Timeout | null = null;
  const pump = (): void => {
    timer = null;
    if (pipe.stranded) {
      queue.length = 0;
      return;
    }
    if (faults().blackhole) return; // resumed by heal()
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.at <= now) {
      const { chunk } = queue.shift()!;
      if (pipe.cut) {
        const cut = pipe.cut;
        to.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)), () => cut());
        return;
      }
      if (!to.destroyed) to.write(chunk);
    }
    if (queue.length > 0) timer = setTimeout(pump, Math.max(0, queue[0]!.at - now));
  };
  return {
    push(chunk: Buffer): void {
      const f = faults();
      const now = performance.now();
      const transfer = f.bytesPerSecond > 0 ? (chunk.length / f.bytesPerSecond) * 1000 : 0;
      lastRelease = Math.max(lastRelease, now + f.latencyMs) + transfer;
      queue.push({ at: lastRelease, chunk });
      if (timer === null) pump();
    },
    kick(): void {
      if (timer === null) pump();
    },
    /** Faults lifted: what waits in the queue leaves now instead of at its throttled time. */
    release(): void {
      const now = performance.now();
      for (const item of queue) item.at = Math.min(item.at, now);
      lastRelease = Math.min(lastRelease, now);
      if (timer !== null) clearTimeout(timer);
      pump();
    },
    get idle(): boolean {
      return queue.length === 0;
    },
  };
}

export async function startFaultProxy(target: { host?: string; port: number } | (() => number)): Promise<FaultProxy> {
  const targetPort = typeof target === 'function' ? target : () => target.port;
  let faults: Faults = { ...NONE };
  const pipes = new Set<Pipe>();
  const lanes = new Set<{ kick(): void; release(): void }>();
  const strandedClosedBy = { client: 0, relay: 0 };

  const server = createServer((client) => {
    if (faults.refuse) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: targetPort() });
    const pipe: Pipe = { client, upstream, cut: null, stranded: false };
    pipes.add(pipe);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const up = createLane(upstream, () => faults, pipe);
    const down = createLane(client, () => faults, pipe);
    lanes.add(up).add(down);
    client.on('data', (chunk) => {
      if (!pipe.stranded) up.push(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!pipe.stranded) down.push(chunk);
    });
    // A stranded connection's ends close on their own, each unheard by the other.
    const closedWhileStranded = (side: 'client' | 'relay'): boolean => {
      if (!pipe.stranded) return false;
      strandedClosedBy[side]++;
      const other = side === 'client' ? upstream : client;
      if (other.destroyed) end();
      return true;
    };
    client.on('close', () => closedWhileStranded('client') || end());
    upstream.on('close', () => closedWhileStranded('relay') || end());
    const end = (): void => {
      if (!pipes.delete(pipe)) return;
      lanes.delete(up);
      lanes.delete(down);
      client.destroy();
      upstream.destroy();
    };
    // 'close' follows every 'error' on a net socket and ends the pipe; the listeners keep an error from being thrown.
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const proxy: FaultProxy = {
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    get faults() {
      return faults;
    },
    get connections() {
      return pipes.size;
    },
    set(next) {
      faults = { ...faults, ...next };
      if (!faults.blackhole) for (const lane of lanes) lane.kick();
    },
    async cutMidFrame() {
      const gone = [...pipes].map(
        (pipe) =>
          new Promise<void>((resolve) => {
            const destroy = (): void => {
              pipe.client.destroy();
              pipe.upstream.destroy();
              resolve();
            };
            pipe.cut = destroy;
            // An idle connection has no next chunk to cut: cut it now.
            setTimeout(destroy, 200).unref();
          }),
      );
      await Promise.all(gone);
    },
    strand() {
      for (const pipe of pipes) pipe.stranded = true;
    },
    get strandedClosedBy() {
      return { ...strandedClosedBy };
    },
    heal() {
      proxy.set({ ...NONE });
      for (const lane of lanes) lane.release();
    },
    async close() {
      for (const pipe of pipes) {
        pipe.client.destroy();
        pipe.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
