/**
 * Withdrawn access takes effect at once, not when a token expires (12 hours for staff, 30 days for
 * customers): open sockets are closed with 4401, and the same token gets 401 on the next upgrade,
 * API call or refresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { conversationDoc } from '@parley/core';
import { Code, Frame } from '@parley/core/protocol';
import { startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';
import { connectMux, isFrame, openSocket } from './mux-client.js';

let relay: RelayProcess;
let adminToken: string;

async function signIn(email: string, password: string): Promise<string> {
  const res = await fetch(`${relay.url}/v1/auth/signin`, { method: 'POST', body: JSON.stringify({ email, password }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

const post = (path: string, body: unknown, token?: string): Promise<Response> =>
  fetch(`${relay.url}${path}`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body: JSON.stringify(body) });

async function followConversation(token: string, doc: string): Promise<Awaited<ReturnType<typeof connectMux>>> {
  const socket = await connectMux(relay.wsUrl, token);
  socket.send({ type: Frame.open, doc, stateVector: Y.encodeStateVector(new Y.Doc()) });
  await socket.waitFor(isFrame(Frame.synced, doc));
  return socket;
}

const setDisabled = (id: string, disabled: boolean): Promise<Response> =>
  fetch(`${relay.url}/v1/agents/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ disabled }) });

beforeAll(async () => {
  relay = await startRelayProcess();
  const admin = await relay.waitForLog((l) => typeof l.password === 'string' && typeof l.email === 'string');
  adminToken = await signIn(admin.email as string, admin.password as string);
}, 60_000);
afterAll(() => relay?.stop());

describe('disabling an agent', () => {
  it('closes its open socket with 4401 and refuses its token afterwards; re-enabling lets it back in', async () => {
    const created = await fetch(`${relay.url}/v1/agents`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ email: 'dee@demo.local', name: 'Dee', role: 'agent' }) });
    expect(created.status).toBe(201);
    const { agent, password } = (await created.json()) as { agent: { id: string }; password: string };
    const token = await signIn('dee@demo.local', password);

    const doc = conversationDoc('demo', 'c1', 'k1');
    const socket = await connectMux(relay.wsUrl, token);
    socket.send({ type: Frame.open, doc, stateVector: Y.encodeStateVector(new Y.Doc()) });
    await socket.waitFor(isFrame(Frame.synced, doc));

    expect((await setDisabled(agent.id, true)).status).toBe(200);
    expect((await socket.closed).code).toBe(Code.unauthorised);
    expect((await openSocket(`${relay.wsUrl}/mux?token=${encodeURIComponent(token)}`)).status).toBe(401);
    expect((await fetch(`${relay.url}/v1/agents`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    expect((await setDisabled(agent.id, false)).status).toBe(200);
    const again = await connectMux(relay.wsUrl, token);
    again.send({ type: Frame.open, doc, stateVector: Y.encodeStateVector(new Y.Doc()) });
    await again.waitFor(isFrame(Frame.synced, doc));
    again.close();
  });
});

describe('revoking a customer', () => {
  it('closes its sockets with 4401, voids every token and pairing code it held, and lets a newly signed token in', async () => {
    const session = (await (await post('/v1/sessions', { ws: 'demo' })).json()) as { token: string; sub: string };
    const code = ((await (await post('/v1/pairing', {}, session.token)).json()) as { code: string }).code;
    const doc = conversationDoc('demo', session.sub, 'k1');
    const socket = await followConversation(session.token, doc);

    expect((await post(`/v1/customers/${session.sub}/revoke`, {}, adminToken)).status).toBe(204);
    expect((await socket.closed).code).toBe(Code.unauthorised);
    expect((await openSocket(`${relay.wsUrl}/mux?token=${encodeURIComponent(session.token)}`)).status).toBe(401);
    expect((await post('/v1/tokens/refresh', {}, session.token)).status).toBe(401);
    expect((await post('/v1/pairing/redeem', { code })).status).toBe(410);

    // Token times are whole seconds: a token signed in the second of the revocation is void too.
    await new Promise((resolve) => setTimeout(resolve, 1_050 - (Date.now() % 1_000)));
    const signedLater = await relay.token('customer', 'demo', session.sub);
    (await followConversation(signedLater, doc)).close();
  });

  it('is for admins only', async () => {
    const created = await post('/v1/agents', { email: 'eve@demo.local', name: 'Eve', role: 'agent' }, adminToken);
    const agentToken = await signIn('eve@demo.local', ((await created.json()) as { password: string }).password);
    expect((await post('/v1/customers/c-1/revoke', {}, agentToken)).status).toBe(403);
    expect((await post('/v1/customers/c-1/revoke', {})).status).toBe(401);
  });
});
