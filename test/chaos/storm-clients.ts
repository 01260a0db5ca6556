/**
 * One slice of the reconnect storm's customers, run as a child process of the storm scenario (so
 * 5,000 sockets are not limited by one process's CPU and file descriptors). Driven over the fork
 * IPC channel, one step at a time:
 *
 *   connect → every client online, synced, first message acknowledged   → 'connected'
 *   away    → every client noticed the relay is gone, wrote a message    → 'away-done'
 *   collect → wait (to a deadline) until each re-synced and that message  → 'collected'
 *             is acknowledged; times are epoch ms (same machine clock as the parent)
 *   close   → closes every client and exits
 */
import { conversationDoc } from '@parley/core';
import { createTokens } from '@parley/sync-server';
import { startPeer, type Peer } from './peers.js';
import { eventually } from './probes.js';

export type StormCommand =
  | { type: 'connect'; wsUrl: string; secret: string; first: number; count: number }
  | { type: 'away' }
  | { type: 'collect'; timeoutMs: number }
  | { type: 'close' };

export type StormReport =
  | { type: 'connected' }
  | { type: 'away-done' }
  | { type: 'collected'; doneAt: number[]; total: number }
  | { type: 'failed'; message: string };

const now = (): number => performance.timeOrigin + performance.now();
const report = (r: StormReport): void => void process.send!(r);

const peers: Peer[] = [];
const resynced = new Set<Peer>();

async function handle(command: StormCommand): Promise<void> {
  switch (command.type) {
    case 'connect': {
      const tokens = createTokens(command.secret);
      for (let i = command.first; i < command.first + command.count; i++) {
        const sub = `storm${i}`;
        const token = await tokens.sign({ ws: 'acme', role: 'customer', sub }, 3600);
        // The client's default backoff (500 ms first ceiling, full jitter): the storm as shipped.
        const peer = startPeer({ wsUrl: command.wsUrl, token, doc: conversationDoc('acme', sub, 'k'), me: { role: 'customer', id: sub, name: sub }, backoff: { initialMs: 500, maxMs: 30_000, stableMs: 10_000 } });
        peer.client.on('synced', () => resynced.add(peer));
        peers.push(peer);
        // Connect in slices so the warm-up is not itself the storm being measured.
        if (peers.length % 250 === 0) await eventually(() => peers.every((p) => p.client.status === 'connected'), 'warm-up connections', 120_000, 50);
      }
      await Promise.all(peers.map((p) => p.handle.whenSynced));
      for (const p of peers) p.send('before the restart');
      await eventually(() => peers.every((p) => p.acked().size === 1), 'first messages acknowledged', 120_000, 50);
      return report({ type: 'connected' });
    }
    case 'away':
      await eventually(() => peers.every((p) => p.client.status !== 'connected'), 'every client to notice the restart', 60_000, 50);
      for (const p of peers) p.send('written while the relay was away');
      resynced.clear();
      return report({ type: 'away-done' });
    case 'collect': {
      const doneAt = new Map<Peer, number>();
      await eventually(
        () => {
          const t = now();
          for (const p of peers) if (!doneAt.has(p) && resynced.has(p) && p.acked().size === 2) doneAt.set(p, t);
          return doneAt.size === peers.length;
        },
        'every client to re-sync',
        command.timeoutMs,
        25,
      ).catch(() => undefined);
      return report({ type: 'collected', doneAt: [...doneAt.values()], total: peers.length });
    }
    case 'close':
      await Promise.all(peers.map((p) => p.close()));
      process.exit(0);
  }
}

process.on('message', (command: StormCommand) => {
  handle(command).catch((err: Error) => report({ type: 'failed', message: err.message }));
});
// The parent gone means the run is over: do not linger holding thousands of sockets.
process.on('disconnect', () => process.exit(0));
