/**
 * `npm run test:chaos`: the full "nothing lost, nobody let in" run. Every scenario against real
 * relay processes, figures printed as a table and written to RESULTS.md beside this file.
 * Exits 1 if any must-be figure does not hold. SEED=<n> replays the random choices.
 * The short versions run inside `npm test` as test/chaos/*.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { failures, figure, renderMarkdown, renderTable, type Figure } from './figures.js';
import { killNine } from './scenarios/kill-nine.js';
import { networkFaults } from './scenarios/network.js';
import { reconnectStorm } from './scenarios/storm.js';
import { relayAmnesia } from './scenarios/amnesia.js';
import { storageTrouble } from './scenarios/storage.js';
import { hostileInput } from './scenarios/hostile.js';
import { accessCells } from './scenarios/access.js';
import { browserStorage } from './scenarios/browser-storage.js';
import { strandedConnections } from './scenarios/stranded.js';

const seed = Number(process.env.SEED ?? Date.now() % 1_000_000);
const only = process.env.ONLY?.split(',');
const log = (line: string): void => console.info(`  ${line}`);

const scenarios: [string, () => Promise<Figure[]>][] = [
  ['kill -9', () => killNine({ kills: 20, writers: 4, sendEveryMs: 15, seed }, log)],
  ['network faults', () => networkFaults({ rounds: 20, messagesPerRound: 5, faultMs: 1000 }, log)],
  ['stranded connections', () => strandedConnections({ rounds: 10, answerTimeoutMs: 1000, heartbeatMs: 600 }, log)],
  ['reconnect storm', () => reconnectStorm({ clients: Number(process.env.STORM_CLIENTS ?? 5000) }, log)],
  ['relay amnesia', () => relayAmnesia({ documents: 100, messagesPerDocument: 20 })],
  ['storage trouble', () => storageTrouble({ messages: 50 })],
  ['hostile input', () => hostileInput({ seed, fuzzFrames: 5000, slowConsumers: 20, documentNames: 100_000, preAuthConnections: 300, hugeFrame: true }, log)],
  ['access', () => accessCells()],
  ['browser storage', () => browserStorage({ messagesPerTab: 10 }, log)],
];

const all: Figure[] = [];
const started = Date.now();
for (const [name, run] of scenarios) {
  if (only && !only.includes(name)) continue;
  console.info(`\n▶ ${name}`);
  const t0 = Date.now();
  try {
    const figures = await run();
    all.push(...figures, figure(name, 'scenario wall time', (Date.now() - t0) / 1000, { unit: 's' }));
  } catch (err) {
    console.error(err);
    all.push(figure(name, 'scenario failed to run', String((err as Error).message).split('\n')[0]!, { mustBe: 'ran', ok: false }));
  }
}

const table = renderTable(all);
console.info(`\n${table}\n`);
const bad = failures(all);
const md = `# Chaos results: nothing lost, nobody let in

Produced by \`npm run test:chaos\` (test/chaos/run.ts) on ${new Date().toISOString().slice(0, 10)}: seed ${seed},
${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version},
total ${((Date.now() - started) / 1000).toFixed(0)} s. Every relay is a real \`parley serve\` process on real SQLite; clients are
core's sync client with the Conversation model, plus a stock y-websocket provider in the network scenario and the
real widget in Chromium in the browser-storage scenario.
Rows with a "must be" are the promises; ${bad.length === 0 ? 'all of them held in this run' : `${bad.length} did NOT hold in this run`}.

${renderMarkdown(all)}

## How each figure is measured

- **kill -9**: writers send through a fault proxy; at a random moment (seeded) the relay gets SIGKILL, the proxy
  refuses connections, and once every socket is gone the acked set each client shows as \`sent\` is recorded. The relay
  restarts on the same data folder and a fresh reader checks every acked message is there *before* any client can
  reconnect and re-send (so a lost ack cannot be masked). Then the proxy opens and every unacked message must arrive.
- **network faults**: two fault proxies (group A: customer phone + stock y-websocket agent; group B: customer laptop +
  core agent). Each round applies one fault while everyone writes, heals, and times until all four transcripts are
  identical and complete (polled every 5 ms). Duplicates are ids (and texts) shown more than once.
- **stranded connections**: the customer reaches the relay through a fault proxy that, each round, strands every open
  connection (bytes dropped both ways, no close told to either end); the customer then sends one message. Timed from
  the send to the message shown as sent (the client's answer timeout replaced the socket); the relay must terminate
  the stranded socket on its own (its heartbeat) within four heartbeats. Both timeouts are shortened for the run.
- **reconnect storm**: N clients, one socket and one conversation each, split across child processes of at most 1,000
  clients (test/chaos/storm-clients.ts), so one process's CPU and file descriptors are not what is measured; the relay
  is restarted gracefully (1001) and the clients come back with core's default backoff (500 ms first ceiling, full
  jitter, doubling per failed attempt; the tsx-started relay takes a few seconds to listen, so clients have backed off
  by then). "synced" = a fresh \`synced\` event plus the message written while away shown as sent, timed on the
  machine's clock shared by every process. Peak RSS is the relay's /proc VmHWM. Stalls are the relay's own
  event-loop delay from its /metrics (\`parley_event_loop_delay_seconds\`: how late a timer due every 10 ms ran,
  since the restarted process began); /healthz round trips every 25 ms from the parent are kept as a second opinion.
- **relay amnesia**: every entry of the data folder is deleted while the relay is down; clients hold replicas in memory.
- **storage trouble**: the data folder is a 16 MiB tmpfs; a filler file takes the remaining space so SQLite meets a real
  ENOSPC (root ignores chmod, so permissions would not be honest). Then the filler is deleted. Damaged files: copies
  of the real database truncated, overwritten in the middle, and with a garbage header; each start must fail naming the file.
- **hostile input**: attackers hold valid tokens except in the pre-authentication flood; an honest customer and agent
  send a message every 50 ms each throughout. Slow consumers never read, so their cut-off is read from the relay's
  \`parley_rejections{reason="slow_consumer"}\` metric. Crashes = relay process gone, or any error-level log line.
  Stalls are the relay's event-loop delay from its /metrics over the whole attack (the relay starts with the scenario).
- **access**: each cell is one attempt with a real token against the real relay; "refused" means the relay answered
  with the documented refusal (HTTP 401/403/404/409, close or error 4401/4403/4409) and, for writes, a fresh reader
  sees nothing of it.
- **browser storage**: the built widget on the relay's demo page, in Chromium (test/helpers/browser.ts). *Quota*: the
  origin's quota is set over CDP (\`Storage.overrideQuotaForOrigin\`) before the page loads, to what a throwaway
  profile used for the first three messages plus 16 KiB (Chromium reads the quota when an origin first opens a
  database, so a later override is not seen); the customer then sends ~2 KB messages until the widget says the storage
  is full, the IndexedDB replica is read inside the page, the page is reloaded under the same quota and read again.
  *Site data cleared*: offline, two messages pending, \`Storage.clearDataForOrigin\` (all types); back online with
  the page kept open. *Three tabs*: one browser, three tabs of the demo page sending at once; the first tab (the one
  holding the socket) is closed with \`page.close({ runBeforeUnload: false })\` right after pressing Enter. "Acknowledged"
  = shown as sent in any tab (the closed one read just before it closed); the relay's copy is read by a fresh client.
`;
writeFileSync(join(import.meta.dirname, 'RESULTS.md'), md);
console.info(bad.length === 0 ? 'every must-be figure held' : `${bad.length} must-be figure(s) did not hold`);
process.exit(bad.length === 0 ? 0 : 1);
