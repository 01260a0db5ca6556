/**
 * The access matrix against a real relay process: tokens checked before the upgrade ([P3]),
 * every document a socket opens checked against the principal ([P4]), read-only grants enforced
 * on the wire ([P5]). Each cell is one row of an it.each table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { sign } from 'hono/jwt';
import { protocol, type Role } from '@parley/core';
import { startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';
import { connectMux, isFrame, openSocket, readServed, type MuxClient } from './mux-client.js';

const { Code, Frame } = protocol;
let relay: RelayProcess;
const open: MuxClient[] = [];

beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  for (const c of open) c.close();
  await relay?.stop();
});

type Who = [Role, string, string] | [Role, string, string, { grants: { prefix: string; access: 'r' | 'rw' }[] }];
const customer: Who = ['customer', 'acme', 'c1'];
const agent: Who = ['agent', 'acme', 'a1'];
const admin: Who = ['admin', 'acme', 'root'];
const readBot: Who = ['bot', 'acme', 'b1', { grants: [{ prefix: 'ws/acme/customers', access: 'r' }] }];
const bareBot: Who = ['bot', 'acme', 'b2', { grants: [] }];

const tokenOf = ([role, ws, sub, extra]: Who): Promise<string> => relay.token(role, ws, sub, extra);

async function mux(who: Who): Promise<MuxClient> {
  const client = await connectMux(relay.wsUrl, await tokenOf(who));
  open.push(client);
  return client;
}

/** Opens `doc` and resolves with 'synced' or the close code the relay answered. */
async function openDoc(client: MuxClient, doc: string): Promise<'synced' | number> {
  client.send({ type: Frame.open, doc, stateVector: Y.encodeStateVector(new Y.Doc()) });
  const f = await client.waitFor((f) => (f.type === Frame.synced || f.type === Frame.close || f.type === Frame.error) && 'doc' in f && f.doc === doc);
  return f.type === Frame.synced ? 'synced' : (f as { code: number }).code;
}

const someUpdate = (key = 'greeting'): Uint8Array => {
  const d = new Y.Doc();
  d.getMap('settings').set(key, 'hello');
  return Y.encodeStateAsUpdate(d);
};

describe('[P3] tokens are checked before the upgrade', () => {
  const expired = (): Promise<string> => sign({ ws: 'acme', role: 'agent', sub: 'a1', exp: Math.floor(Date.now() / 1000) - 10 }, relay.secret, 'HS256');
  const forged = (): Promise<string> => sign({ ws: 'acme', role: 'admin', sub: 'eve', exp: Math.floor(Date.now() / 1000) + 600 }, 'not-the-relay-secret-but-long-enough-xx', 'HS256');
  const cases: [string, () => Promise<string | null>][] = [
    ['no token', async () => null],
    ['a bad signature', forged],
    ['an expired token', expired],
    ['a malformed token', async () => 'not.a.jwt'],
  ];
  it.each(cases.flatMap(([label, make]) => (['/mux', '/sync/ws/acme/settings'] as const).map((path) => [path, label, make] as const)))('%s with %s answers HTTP 401 and opens no socket', async (path, _label, make) => {
    const token = await make();
    const result = await openSocket(`${relay.wsUrl}${path}${token ? `?token=${token}` : ''}`);
    expect(result.socket).toBeUndefined();
    expect(result.status).toBe(401);
  });
});

describe('[P4] every document is checked on open (mux: close frame 4403, socket stays)', () => {
  it.each<[string, Who, string, 'synced' | number]>([
    ['customer: own conversation', customer, 'ws/acme/customers/c1/conv/k1', 'synced'],
    ['customer: own profile', customer, 'ws/acme/customers/c1/profile', 'synced'],
    ['customer: settings', customer, 'ws/acme/settings', 'synced'],
    ['customer: announcements', customer, 'ws/acme/announcements', 'synced'],
    ['customer: another customer conversation', customer, 'ws/acme/customers/c2/conv/k1', Code.forbidden],
    ['customer: another customer profile', customer, 'ws/acme/customers/c2/profile', Code.forbidden],
    ['customer: internal notes of own conversation', customer, 'ws/acme/internal/customers/c1/conv/k1', Code.forbidden],
    ['customer: directory', customer, 'ws/acme/directory', Code.forbidden],
    ['customer: same ids in another workspace', customer, 'ws/other/customers/c1/conv/k1', Code.forbidden],
    ['customer: settings of another workspace', customer, 'ws/other/settings', Code.forbidden],
    ['agent: any customer conversation', agent, 'ws/acme/customers/c2/conv/k9', 'synced'],
    ['agent: internal notes', agent, 'ws/acme/internal/customers/c1/conv/k1', 'synced'],
    ['agent: directory', agent, 'ws/acme/directory', 'synced'],
    ['agent: another workspace', agent, 'ws/other/customers/c1/conv/k1', Code.forbidden],
    ['admin: settings', admin, 'ws/acme/settings', 'synced'],
    ['admin: another workspace settings', admin, 'ws/other/settings', Code.forbidden],
    ['bot without grants: a conversation', bareBot, 'ws/acme/customers/c1/conv/k1', Code.forbidden],
    ['bot with a read grant: a conversation', readBot, 'ws/acme/customers/c1/conv/k1', 'synced'],
    ['bot with a read grant: settings (not granted)', readBot, 'ws/acme/settings', Code.forbidden],
  ])('%s → %s', async (_label, who, doc, expected) => {
    const client = await mux(who);
    expect(await openDoc(client, doc)).toBe(expected);
    // The refusal concerns one document: the same socket still opens what the principal may read.
    expect(await openDoc(client, `ws/${who[1]}/${who[0] === 'bot' ? 'customers/c1/conv/k1' : 'announcements'}`)).toBe(who === bareBot ? Code.forbidden : 'synced');
  });
});

describe('[P5] read-only grants are enforced on the wire', () => {
  it.each<[string, Who, string]>([
    ['customer writes settings', customer, 'ws/acme/settings'],
    ['customer writes announcements', customer, 'ws/acme/announcements'],
    ['agent writes settings', agent, 'ws/acme/settings'],
    ['agent writes announcements', agent, 'ws/acme/announcements'],
    ['agent writes a customer profile', agent, 'ws/acme/customers/c1/profile'],
    ['agent writes the directory', agent, 'ws/acme/directory'],
    ['admin writes the directory', admin, 'ws/acme/directory'],
    ['bot with a read grant writes a conversation', readBot, 'ws/acme/customers/c1/conv/k1'],
  ])('%s: error 4403, never applied', async (label, who, doc) => {
    const writer = await mux(who);
    expect(await openDoc(writer, doc)).toBe('synced');
    writer.send({ type: Frame.sync, doc, message: protocol.encodeSyncMessage(protocol.syncUpdate, someUpdate(label.replace(/\W/g, '_'))) });
    const refusal = await writer.waitFor(isFrame(Frame.error, doc));
    expect(refusal.code).toBe(Code.forbidden);
    expect(writer.frames.some(isFrame(Frame.ack, doc))).toBe(false);
    // A fresh reader sees nothing of the refused write.
    const replica = await readServed(await mux(admin), doc);
    expect(replica.getMap('settings').size).toBe(0);
  });

  it('acknowledges the same kind of write where access is read-write (admin writes settings)', async () => {
    const writer = await mux(admin);
    expect(await openDoc(writer, 'ws/acme/settings')).toBe('synced');
    writer.send({ type: Frame.sync, doc: 'ws/acme/settings', message: protocol.encodeSyncMessage(protocol.syncUpdate, someUpdate()) });
    await writer.waitFor(isFrame(Frame.ack, 'ws/acme/settings'));
  });
});

describe('/sync: one document per socket, refused with a close code', () => {
  async function syncClose(who: Who, doc: string, write = false): Promise<number> {
    const { socket } = await openSocket(`${relay.wsUrl}/sync/${doc}?token=${await tokenOf(who)}`);
    if (!socket) throw new Error('upgrade refused');
    const closed = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket still open after 10 s')), 10_000);
      socket.once('close', (code) => (clearTimeout(timer), resolve(code)));
    });
    if (write) socket.send(protocol.encodeYwsSync(protocol.syncUpdate, someUpdate()));
    return closed;
  }

  it.each<[string, Who, string, boolean, number]>([
    ['customer opens another customer conversation', customer, 'ws/acme/customers/c2/conv/k1', false, Code.forbidden],
    ['customer opens internal notes', customer, 'ws/acme/internal/customers/c1/conv/k1', false, Code.forbidden],
    ['customer opens the directory', customer, 'ws/acme/directory', false, Code.forbidden],
    ['customer opens another workspace', customer, 'ws/other/settings', false, Code.forbidden],
    ['agent writes settings', agent, 'ws/acme/settings', true, Code.forbidden],
    ['customer writes announcements', customer, 'ws/acme/announcements', true, Code.forbidden],
    ['anyone opens a name that is not a Parley document', agent, 'ws/acme/elsewhere', false, Code.notFound],
  ])('%s → close %i', async (_label, who, doc, write, code) => {
    expect(await syncClose(who, doc, write)).toBe(code);
  });
});
