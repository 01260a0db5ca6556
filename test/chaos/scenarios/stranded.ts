/**
 * Connections that die without a word (the phone left the Wi-Fi, a NAT forgot the mapping):
 * neither end hears a close and TCP stays quiet for many minutes. A message sent into one must
 * still reach the agent soon, exactly once, and the relay must let the dead socket go by itself.
 * Each side's own liveness check is what notices: the client's answer timeout, the relay's
 * heartbeat. Before the first round, a quiet connection that owes nothing is watched for three
 * answer timeouts: it must be kept.
 */
import { conversationDoc } from '@parley/core';
import { startRelayProcess } from '../../helpers/relay-process.js';
import { startFaultProxy } from '../fault-proxy.js';
import { figure, mustBeAll, mustEqual, percentile, type Figure } from '../figures.js';
import { duplicates, startPeer } from '../peers.js';
import { eventually } from '../probes.js';

export interface StrandedConfig {
  /** connections stranded in turn, one message sent into each */
  rounds: number;
  /** the customer's client answer timeout (the default is 20 s; short here so rounds are quick) */
  answerTimeoutMs: number;
  /** the relay's --heartbeat-ms */
  heartbeatMs: number;
}

const S = 'stranded connections';

export async function strandedConnections(cfg: StrandedConfig, log: (line: string) => void = () => undefined): Promise<Figure[]> {
  const relay = await startRelayProcess({ args: ['--heartbeat-ms', String(cfg.heartbeatMs)] });
  const proxy = await startFaultProxy(() => relay.port);
  const doc = conversationDoc('acme', 'c1', 'stranded');
  const customer = startPeer({ wsUrl: proxy.wsUrl, token: await relay.token('customer', 'acme', 'c1'), doc, me: { role: 'customer', id: 'c1', name: 'Cem' }, answerTimeoutMs: cfg.answerTimeoutMs });
  // The agent is on a healthy link throughout.
  const agent = startPeer({ wsUrl: relay.wsUrl, token: await relay.token('agent', 'acme', 'a1'), doc, me: { role: 'agent', id: 'a1', name: 'Ada' } });
  try {
    await Promise.all([customer.handle.whenSynced, agent.handle.whenSynced]);

    const statuses: string[] = [];
    const stopWatching = customer.client.on('status', (s) => statuses.push(s));
    const first = customer.send('before the quiet spell');
    await eventually(() => customer.acked().has(first), 'the first message to be acknowledged');
    await new Promise((resolve) => setTimeout(resolve, 3 * cfg.answerTimeoutMs));
    stopWatching();
    const quietReplaced = statuses.length > 0 || proxy.connections !== 1 ? 1 : 0;

    const ackTimes: number[] = [];
    let relayTerminated = 0;
    for (let round = 0; round < cfg.rounds; round++) {
      proxy.strand();
      const sentAt = Date.now();
      const id = customer.send(`sent into dead connection #${round + 1}`);
      await eventually(() => customer.acked().has(id), `message #${round + 1} to be acknowledged over a new connection`, 10 * cfg.answerTimeoutMs);
      ackTimes.push(Date.now() - sentAt);
      await eventually(() => agent.transcript().includes(id), `the agent to receive message #${round + 1}`);
      // The relay pinged the stranded socket, heard nothing back, and terminated it.
      await eventually(() => proxy.strandedClosedBy.relay === round + 1, `the relay to terminate dead socket #${round + 1}`, 4 * cfg.heartbeatMs).then(
        () => relayTerminated++,
        () => undefined,
      );
      log(`round ${round + 1}/${cfg.rounds}: acknowledged ${ackTimes.at(-1)} ms after it was sent into the dead connection`);
    }
    const dups = duplicates(agent.transcript()) + duplicates(customer.transcript());
    return [
      figure(S, 'answer timeout / relay heartbeat (shortened for the run)', `${cfg.answerTimeoutMs} / ${cfg.heartbeatMs} ms`),
      mustEqual(S, 'quiet connection owing nothing, replaced within 3 answer timeouts', quietReplaced, 0),
      mustBeAll(S, 'messages sent into a dead connection, acknowledged over a new one', ackTimes.length, cfg.rounds),
      figure(S, 'sent into a dead connection → acknowledged, p50', percentile(ackTimes, 50), { unit: 'ms' }),
      figure(S, 'sent into a dead connection → acknowledged, max', Math.max(...ackTimes), { unit: 'ms' }),
      mustBeAll(S, 'dead sockets the relay terminated on its own', relayTerminated, cfg.rounds),
      mustEqual(S, 'duplicates shown (agent and customer)', dups, 0),
    ];
  } finally {
    await customer.close();
    await agent.close();
    await proxy.close();
    await relay.kill();
  }
}
