/**
 * Every access cell tried once against a real relay process: refused / tried must be all.
 * test/relay/access.test.ts asserts the matrix row by row; this computes the published figure,
 * adding the cells that need two participants (foreign deletes and edits, forged awareness),
 * pairing-code reuse and another conversation's attachment. Helpers come from test/relay.
 */
import * as Y from 'yjs';
import { sign } from 'hono/jwt';
import { encodeAwarenessUpdate, Awareness } from 'y-protocols/awareness';
import { ConversationRoot, conversationDoc, internalDoc, protocol } from '@parley/core';
import { startRelayProcess, type RelayProcess } from '../../helpers/relay-process.js';
import { connectMux, isFrame, openSocket } from '../../relay/mux-client.js';
import { figure, mustBeAll, type Figure } from '../figures.js';
import { readFromRelay, startPeer } from '../peers.js';
import { eventually } from '../probes.js';

const S = 'access';
const { Code, Frame } = protocol;
const conv = conversationDoc('acme', 'c1', 'k1');

type Cell = [string, (relay: RelayProcess) => Promise<boolean>];

/** True when the upgrade is refused with HTTP 401. */
const upgradeRefused = async (relay: RelayProcess, token: string | null): Promise<boolean> =>
  (await openSocket(`${relay.wsUrl}/mux${token ? `?token=${token}` : ''}`)).status === 401;

/** True when opening `doc` on /mux is answered with a close or error 4403. */
async function openRefused(relay: RelayProcess, token: string, doc: string): Promise<boolean> {
  const c = await connectMux(relay.wsUrl, token);
  c.send({ type: Frame.open, doc, stateVector: new Uint8Array([0]) });
  const f = await c.waitFor((f) => (f.type === Frame.synced || f.type === Frame.close || f.type === Frame.error) && 'doc' in f && f.doc === doc);
  c.close();
  return f.type !== Frame.synced && (f as { code: number }).code === Code.forbidden;
}

/**
 * A customer's replica does something only someone else may do; refused when the relay answers
 * 4403/4409 for that document and a fresh reader sees nothing of it.
 */
async function foreignWrite(relay: RelayProcess, act: (doc: Y.Doc, agentMessage: Y.Map<unknown>) => void, stillThere: (doc: Y.Doc) => boolean): Promise<boolean> {
  const doc = conversationDoc('acme', 'c1', `w${Math.random().toString(36).slice(2, 8)}`);
  const agent = startPeer({ wsUrl: relay.wsUrl, token: await relay.token('agent', 'acme', 'a1'), doc, me: { role: 'agent', id: 'a1', name: 'Ada' } });
  const customer = startPeer({ wsUrl: relay.wsUrl, token: await relay.token('customer', 'acme', 'c1'), doc, me: { role: 'customer', id: 'c1', name: 'Cem' } });
  try {
    await Promise.all([agent.handle.whenSynced, customer.handle.whenSynced]);
    const id = agent.send('only the agent may change this');
    await eventually(() => customer.transcript().includes(id) && agent.acked().has(id), 'the agent message to reach the customer');
    const codes: number[] = [];
    customer.client.on('error', (_e, ctx) => ctx.code !== undefined && codes.push(ctx.code));
    const map = customer.handle.doc.getArray<Y.Map<unknown>>(ConversationRoot.messages).get(0);
    act(customer.handle.doc, map);
    // Refused means not applied; an error frame is expected too, but the stored document is what counts.
    await eventually(() => codes.length > 0, 'the relay to answer the forbidden write', 5_000).catch(() => undefined);
    const held = await readFromRelay(relay.wsUrl, await relay.token('agent', 'acme', 'auditor'), doc);
    return codes.every((c) => c === Code.forbidden || c === Code.conflict) && stillThere(held);
  } finally {
    await customer.close();
    await agent.close();
  }
}

const cells: Cell[] = [
  ['no token', (r) => upgradeRefused(r, null)],
  ['bad signature', async (r) => upgradeRefused(r, await sign({ ws: 'acme', role: 'admin', sub: 'eve', exp: Math.floor(Date.now() / 1000) + 600 }, 'not-the-relay-secret-but-long-enough-xx', 'HS256'))],
  ['expired token', async (r) => upgradeRefused(r, await sign({ ws: 'acme', role: 'agent', sub: 'a1', exp: Math.floor(Date.now() / 1000) - 10 }, r.secret, 'HS256'))],
  ['other customer', async (r) => openRefused(r, await r.token('customer', 'acme', 'c2'), conv)],
  ['other workspace (agent)', async (r) => openRefused(r, await r.token('agent', 'other', 'a1'), conv)],
  ['other workspace (customer, same ids)', async (r) => openRefused(r, await r.token('customer', 'other', 'c1'), conv)],
  ['internal document as customer', async (r) => openRefused(r, await r.token('customer', 'acme', 'c1'), internalDoc('acme', 'c1', 'k1'))],
  [
    'write on a read-only grant',
    async (r) => {
      const c = await connectMux(r.wsUrl, await r.token('bot', 'acme', 'b1', { grants: [{ prefix: 'ws/acme/customers', access: 'r' }] }));
      c.send({ type: Frame.open, doc: conv, stateVector: new Uint8Array([0]) });
      await c.waitFor(isFrame(Frame.synced, conv));
      const d = new Y.Doc();
      d.getMap(ConversationRoot.meta).set('forged', true);
      c.send({ type: Frame.sync, doc: conv, message: protocol.encodeSyncMessage(protocol.syncUpdate, Y.encodeStateAsUpdate(d)) });
      const f = await c.waitFor(isFrame(Frame.error, conv));
      c.close();
      const held = await readFromRelay(r.wsUrl, await r.token('agent', 'acme', 'auditor'), conv);
      return f.code === Code.forbidden && !held.getMap(ConversationRoot.meta).has('forged');
    },
  ],
  [
    'awareness entry for another client id',
    async (r) => {
      // The agent's client id is owned (it has written); the customer claims it in awareness to pose as the agent.
      const agent = startPeer({ wsUrl: r.wsUrl, token: await r.token('agent', 'acme', 'a1'), doc: conv, me: { role: 'agent', id: 'a1', name: 'Ada' } });
      const watcher = startPeer({ wsUrl: r.wsUrl, token: await r.token('agent', 'acme', 'a2'), doc: conv, me: { role: 'agent', id: 'a2', name: 'Bo' } });
      try {
        await Promise.all([agent.handle.whenSynced, watcher.handle.whenSynced]);
        const written = agent.send('hello');
        await eventually(() => agent.acked().has(written) && watcher.transcript().includes(written), 'the agent to own its client id');
        const c = await connectMux(r.wsUrl, await r.token('customer', 'acme', 'c1'));
        c.send({ type: Frame.open, doc: conv, stateVector: new Uint8Array([0]) });
        await c.waitFor(isFrame(Frame.synced, conv));
        const impostor = new Y.Doc();
        impostor.clientID = agent.handle.doc.clientID;
        const forged = new Awareness(impostor);
        // A high clock so the watcher would prefer it over the agent's real entry.
        for (let i = 0; i < 100; i++) forged.setLocalState({ forged: true, user: { name: 'Ada', role: 'agent' }, i });
        c.send({ type: Frame.awareness, doc: conv, update: encodeAwarenessUpdate(forged, [impostor.clientID]) });
        // Frames run in order: once a later legitimate update has arrived, the forged entry would have too.
        const own = new Y.Doc();
        own.getArray(ConversationRoot.messages).push([new Y.Map()]);
        c.send({ type: Frame.sync, doc: conv, message: protocol.encodeSyncMessage(protocol.syncUpdate, Y.encodeStateAsUpdate(own)) });
        await eventually(() => watcher.handle.doc.store.clients.has(own.clientID), 'the legitimate update to reach the watcher');
        c.close();
        forged.destroy();
        return !(watcher.handle.awareness.getStates().get(agent.handle.doc.clientID) as { forged?: boolean } | undefined)?.forged;
      } finally {
        await watcher.close();
        await agent.close();
      }
    },
  ],
  ['deleting another participant’s message', (r) => foreignWrite(r, (doc) => doc.getArray(ConversationRoot.messages).delete(0, 1), (held) => held.getArray(ConversationRoot.messages).length === 1)],
  ['editing another participant’s message', (r) => foreignWrite(r, (_doc, message) => message.set('text', 'edited by the customer'), (held) => (held.getArray<Y.Map<unknown>>(ConversationRoot.messages).get(0).get('text') as string) === 'only the agent may change this')],
  ['setting agent-only fields as customer', (r) => foreignWrite(r, (doc) => doc.getMap(ConversationRoot.state).set('status', 'resolved'), (held) => !held.getMap(ConversationRoot.state).has('status'))],
  [
    'reusing a pairing code',
    async (r) => {
      const created = await fetch(`${r.url}/v1/pairing`, { method: 'POST', headers: { authorization: `Bearer ${await r.token('customer', 'acme', 'c1')}` } });
      const { code } = (await created.json()) as { code: string };
      const redeem = (): Promise<Response> => fetch(`${r.url}/v1/pairing/redeem`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
      const first = await redeem();
      const second = await redeem();
      return created.status === 201 && first.status === 201 && second.status >= 400 && second.status < 500;
    },
  ],
  [
    'attachment of another conversation',
    async (r) => {
      const put = await fetch(`${r.url}/v1/blobs?doc=${encodeURIComponent(conv)}`, { method: 'PUT', headers: { authorization: `Bearer ${await r.token('customer', 'acme', 'c1')}`, 'content-type': 'text/plain' }, body: 'private invoice' });
      const { hash } = (await put.json()) as { hash: string };
      const other = await fetch(`${r.url}/v1/blobs/${hash}`, { headers: { authorization: `Bearer ${await r.token('customer', 'acme', 'c2')}` } });
      const owner = await fetch(`${r.url}/v1/blobs/${hash}`, { headers: { authorization: `Bearer ${await r.token('customer', 'acme', 'c1')}` } });
      return put.status === 201 && owner.status === 200 && other.status === 404;
    },
  ],
];

export async function accessCells(log: (line: string) => void = () => undefined): Promise<Figure[]> {
  const relay = await startRelayProcess();
  try {
    const let_in: string[] = [];
    for (const [name, attempt] of cells) {
      const refused = await attempt(relay).catch((err: Error) => (log(`${name}: ${err.message}`), false));
      if (!refused) let_in.push(name);
    }
    return [
      mustBeAll(S, 'refused / tried (every cell of the access matrix)', cells.length - let_in.length, cells.length),
      ...(let_in.length ? [figure(S, 'cells NOT refused', let_in.join('; '))] : []),
    ];
  } finally {
    await relay.kill();
  }
}

export const accessCellNames = cells.map(([name]) => name);
