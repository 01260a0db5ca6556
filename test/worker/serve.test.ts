/**
 * `parley serve` starts the worker in-process for every workspace (a fresh data folder has `demo`;
 * workspaces added while it runs are found within seconds) with a bot token it mints itself;
 * `--no-worker` leaves it out.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot, startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';
import { createPeers, type Peers } from './fixtures.js';

let relay: RelayProcess;
let peers: Peers;

beforeAll(async () => {
  relay = await startRelayProcess();
  peers = createPeers(relay, 'demo');
});
afterAll(async () => {
  await peers?.close();
  await relay?.stop();
});

describe('parley serve runs the worker', () => {
  it('assigns a demo conversation with no worker of the test’s own, and stops cleanly with the server', async () => {
    expect((await relay.waitForLog((l) => l.msg === 'listening')).worker).toBe(true);
    await relay.waitForLog((l) => l.msg === 'routing worker started' && l.ws === 'demo', 20_000);
    await peers.settings({ routingRules: [{ keywords: ['refund'], team: 'billing' }] }, { teams: [{ name: 'billing', members: ['ana'] }] });
    await peers.agent('ana');
    const customer = await peers.customer('c1', 'refund please');
    const s = await customer.until((x) => x.state.assignee !== null, 'assignment by the served worker', 20_000);
    expect(s.state).toMatchObject({ team: 'billing', assignee: { id: 'ana' } });
    await peers.close();
    expect(await relay.stop()).toBe(0);
  });

  it('gives a workspace created while it runs (`parley agent add --ws`) a worker, without a restart', { timeout: 90_000 }, async () => {
    const relay = await startRelayProcess();
    const peers = createPeers(relay, 'latecomer');
    try {
      await relay.waitForLog((l) => l.msg === 'routing worker started' && l.ws === 'demo', 20_000);
      // What an operator runs beside the serving relay: another process writing accounts.sqlite.
      const added = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cliPath, 'agent', 'add', '--ws', 'latecomer', '--email', 'ana@latecomer.test', '--name', 'Ana', '--data', relay.dataDir], { cwd: repoRoot, stdio: 'ignore' });
        child.once('close', resolve);
      });
      expect(added).toBe(0);
      await relay.waitForLog((l) => l.msg === 'routing worker started' && l.ws === 'latecomer', 30_000);
      // Web Push for its customers starts the same way.
      await relay.waitForLog((l) => l.msg === 'push notifier started' && l.ws === 'latecomer', 10_000);
      await peers.settings({ routingRules: [{ keywords: ['refund'], team: 'billing' }] }, { teams: [{ name: 'billing', members: ['ana'] }] });
      await peers.agent('ana');
      const customer = await peers.customer('c1', 'refund please');
      const s = await customer.until((x) => x.state.assignee !== null, 'assignment by the worker of the new workspace', 20_000);
      expect(s.state).toMatchObject({ team: 'billing', assignee: { id: 'ana' } });
    } finally {
      await peers.close();
      await relay.stop();
    }
  });

  it('--no-worker starts none', async () => {
    const bare = await startRelayProcess({ args: ['--no-worker'] });
    try {
      const listening = await bare.waitForLog((l) => l.msg === 'listening');
      expect(listening.worker).toBe(false);
    } finally {
      await bare.stop();
    }
  });
});
