/**
 * kill -9 of the relay at random moments while customers keep typing, restarted on the same data.
 * Between the kill and the clients' return, a fresh reader asks the restarted relay for every
 * message a client saw acknowledged: the clients cannot paper over a loss by re-sending, because
 * their proxy refuses connections until the check is done.
 */
import { conversationDoc } from '@parley/core';
import { startRelayProcess } from '../../helpers/relay-process.js';
import { startFaultProxy } from '../fault-proxy.js';
import { figure, mustBeAll, mustEqual, type Figure } from '../figures.js';
import { duplicates, messageIds, readFromRelay, startPeer, type Peer } from '../peers.js';
import { eventually, seeded } from '../probes.js';

export interface KillNineConfig {
  kills: number;
  writers: number;
  /** each writer sends one message this often */
  sendEveryMs: number;
  seed: number;
}

const S = 'kill -9';

export async function killNine(cfg: KillNineConfig, log: (line: string) => void = () => undefined): Promise<Figure[]> {
  const random = seeded(cfg.seed);
  const relay = await startRelayProcess();
  const proxy = await startFaultProxy(() => relay.port);
  const docs = Array.from({ length: cfg.writers }, (_, i) => conversationDoc('acme', `c${i}`, 'kill'));
  const peers: Peer[] = [];
  const agentToken = await relay.token('agent', 'acme', 'auditor');
  let timer: NodeJS.Timeout | undefined;
  try {
    for (const [i, doc] of docs.entries()) {
      const sub = `c${i}`;
      peers.push(startPeer({ wsUrl: proxy.wsUrl, token: await relay.token('customer', 'acme', sub), doc, me: { role: 'customer', id: sub, name: sub } }));
    }
    await Promise.all(peers.map((p) => p.handle.whenSynced));
    let n = 0;
    timer = setInterval(() => {
      for (const p of peers) p.send(`m${n++}`);
    }, cfg.sendEveryMs);

    const everAcked = new Set<string>();
    const unackedAtKill = new Set<string>();
    let lost = 0;
    for (let k = 0; k < cfg.kills; k++) {
      await eventually(() => peers.every((p) => p.client.status === 'connected'), 'writers to reconnect');
      await new Promise((r) => setTimeout(r, 150 + random() * 600));
      proxy.set({ refuse: true });
      await relay.kill();
      // Once every socket is gone no ack can still be on its way: this is what clients believe.
      await eventually(() => proxy.connections === 0 && peers.every((p) => p.client.status !== 'connected'), 'sockets to drop');
      const acked = peers.map((p) => p.acked());
      for (const [i, p] of peers.entries()) {
        for (const id of acked[i]!) everAcked.add(id);
        for (const id of p.sent) if (!acked[i]!.has(id)) unackedAtKill.add(id);
      }
      await relay.restart();
      for (const [i, doc] of docs.entries()) {
        const held = new Set(messageIds(await readFromRelay(relay.wsUrl, agentToken, doc)));
        const missing = [...acked[i]!].filter((id) => !held.has(id));
        lost += missing.length;
        if (missing.length > 0) log(`kill ${k + 1}: ${doc} lost ${missing.length} acked messages, e.g. ${missing[0]}`);
      }
      log(`kill ${k + 1}/${cfg.kills}: acked so far ${everAcked.size}, unacked at kills ${unackedAtKill.size}, lost ${lost}`);
      proxy.set({ refuse: false });
    }
    clearInterval(timer);
    timer = undefined;
    // Every message, acked or not at a kill, must reach the relay once the writers are back.
    await eventually(() => peers.every((p) => p.acked().size === p.sent.length), 'every message to be acknowledged', 60_000, 50);
    let resent = 0;
    let dups = 0;
    let sent = 0;
    for (const [i, doc] of docs.entries()) {
      const ids = messageIds(await readFromRelay(relay.wsUrl, agentToken, doc));
      const held = new Set(ids);
      dups += duplicates(ids) + duplicates(peers[i]!.transcript());
      for (const id of unackedAtKill) if (held.has(id)) resent++;
      for (const id of peers[i]!.acked()) everAcked.add(id);
      sent += peers[i]!.sent.length;
    }
    return [
      figure(S, 'relay processes killed', cfg.kills),
      figure(S, 'messages sent / acknowledged', `${sent} / ${everAcked.size}`),
      mustEqual(S, 'acknowledged but lost, per 10^6 acknowledged', everAcked.size === 0 ? NaN : (lost / everAcked.size) * 1e6, 0),
      mustBeAll(S, 'unacknowledged at a kill, present after reconnect', resent, unackedAtKill.size),
      mustEqual(S, 'duplicates in transcripts', dups, 0),
    ];
  } finally {
    if (timer) clearInterval(timer);
    await Promise.all(peers.map((p) => p.close()));
    await proxy.close();
    await relay.kill();
  }
}
