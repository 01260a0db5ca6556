/**
 * The agent directory and account management under /v1/agents, and teams in the sign-in answer,
 * in process through `app.request` on a real SQLite accounts file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from './app.js';
import { openAccountsDb, type AccountsDb } from '../accounts/db.js';
import { createAccounts, type Accounts } from '../accounts/accounts.js';
import { createPairing } from '../accounts/pairing.js';
import { createBlobs } from '../accounts/blobs.js';
import { createTokens } from '../auth/tokens.js';
import { silentLogger } from '../log.js';
import type { Role } from '@parley/core';

const tokens = createTokens('t'.repeat(48));
let db: AccountsDb;
let accounts: Accounts;
let app: ReturnType<typeof createApp>['app'];
const ids: Record<string, string> = {};
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-agents-api-'));
  db = openAccountsDb(join(dir, 'accounts.sqlite'));
  accounts = createAccounts(db);
  for (const [key, ws, role, teams] of [
    ['admin', 'acme', 'admin', []],
    ['ann', 'acme', 'agent', ['tier1', 'sales']],
    ['other', 'globex', 'admin', ['tier1']],
  ] as const) {
    ids[key] = (await accounts.add({ ws, email: `${key}@${ws}.test`, name: key.toUpperCase(), role, teams, password: PASSWORD })).account.id;
  }
  ({ app } = createApp({
    tokens,
    accounts,
    pairing: createPairing(db),
    blobs: createBlobs(db, join(dir, 'blobs')),
    relay: { handleConnection: () => { throw new Error('no sockets in process'); }, metrics: () => ({}), revoke: () => undefined },
    log: silentLogger,
    staticDirs: { widget: dir, agent: dir, demo: dir },
  }));
});
afterAll(() => db.close());

const bearer = async (role: Role, ws: string, sub: string): Promise<Record<string, string>> => ({ authorization: `Bearer ${await tokens.sign({ ws, role, sub }, 600)}`, 'content-type': 'application/json' });
const as = (key: 'admin' | 'ann' | 'other'): Promise<Record<string, string>> => bearer(key === 'ann' ? 'agent' : 'admin', key === 'other' ? 'globex' : 'acme', ids[key]!);

describe('teams in tokens answers', () => {
  it('sign-in returns the account\'s teams', async () => {
    const res = await app.request('/v1/auth/signin', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.0.0.1' }, body: JSON.stringify({ email: 'ann@acme.test', password: PASSWORD }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ role: 'agent', sub: ids.ann, teams: ['sales', 'tier1'] });
  });

  it('refresh carries the current teams', async () => {
    const res = await app.request('/v1/tokens/refresh', { method: 'POST', headers: await as('ann') });
    expect(await res.json()).toMatchObject({ teams: ['sales', 'tier1'] });
  });
});

describe('GET /v1/agents', () => {
  it('lists the workspace\'s agents and admins with teams, and never a password hash or salt', async () => {
    const res = await app.request('/v1/agents', { headers: await as('ann') });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { agents: Record<string, unknown>[] };
    expect(body.agents.map((a) => [a.name, a.role, a.teams])).toEqual([
      ['ADMIN', 'admin', []],
      ['ANN', 'agent', ['sales', 'tier1']],
    ]);
    expect(Object.keys(body.agents[0]!).sort()).toEqual(['disabled', 'email', 'id', 'name', 'role', 'teams']);
    expect(JSON.stringify(body)).not.toMatch(/hash|salt|globex/);
  });

  it.each<[string, () => Promise<Record<string, string>>, number]>([
    ['no token', async () => ({}), 401],
    ['a customer', () => bearer('customer', 'acme', 'c1'), 403],
    ['a bot', () => bearer('bot', 'acme', 'b1'), 403],
    ['a removed account', () => bearer('agent', 'acme', 'u-gone'), 401],
    ['an account of another workspace with this workspace in its token', () => bearer('admin', 'acme', ids.other!), 401],
  ])('refuses %s with %i', async (_what, headers, status) => {
    expect((await app.request('/v1/agents', { headers: await headers() })).status).toBe(status);
  });
});

describe('admin account management', () => {
  it('an admin adds an agent with teams; the generated password is answered once and signs in', async () => {
    const res = await app.request('/v1/agents', { method: 'POST', headers: await as('admin'), body: JSON.stringify({ email: 'bo@acme.test', name: 'Bo', role: 'agent', teams: ['sales'] }) });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { agent: { id: string; teams: string[] }; password: string };
    expect(body.agent.teams).toEqual(['sales']);
    expect((await accounts.signIn('bo@acme.test', body.password)).ws).toBe('acme');
    ids.bo = body.agent.id;
  });

  it('sets teams and disables: the disabled agent can no longer sign in nor refresh, and is listed as disabled', async () => {
    const put = async (body: unknown): Promise<Response> => app.request(`/v1/agents/${ids.bo}`, { method: 'PUT', headers: await as('admin'), body: JSON.stringify(body) });
    expect(await (await put({ teams: ['tier1', 'senior'] })).json()).toMatchObject({ agent: { teams: ['senior', 'tier1'], disabled: false } });
    const boToken = await bearer('agent', 'acme', ids.bo!);
    expect(await (await put({ disabled: true })).json()).toMatchObject({ agent: { disabled: true } });
    expect((await app.request('/v1/tokens/refresh', { method: 'POST', headers: boToken })).status).toBe(401);
    expect((await app.request('/v1/agents', { headers: boToken })).status).toBe(401);
    const list = (await (await app.request('/v1/agents', { headers: await as('ann') })).json()) as { agents: { id: string; disabled: boolean }[] };
    expect(list.agents.find((a) => a.id === ids.bo)?.disabled).toBe(true);
    expect((await put({ disabled: false })).status).toBe(200);
  });

  it.each<[string, () => Promise<Response>, number]>([
    ['an agent adding an account', async () => app.request('/v1/agents', { method: 'POST', headers: await as('ann'), body: JSON.stringify({ email: 'x@acme.test', name: 'X', role: 'agent' }) }), 403],
    ['an agent changing teams', async () => app.request(`/v1/agents/${ids.ann}`, { method: 'PUT', headers: await as('ann'), body: JSON.stringify({ teams: [] }) }), 403],
    ['an admin of another workspace', async () => app.request(`/v1/agents/${ids.ann}`, { method: 'PUT', headers: await as('other'), body: JSON.stringify({ disabled: true }) }), 404],
    ['an admin disabling themself', async () => app.request(`/v1/agents/${ids.admin}`, { method: 'PUT', headers: await as('admin'), body: JSON.stringify({ disabled: true }) }), 400],
    ['a bad team name', async () => app.request(`/v1/agents/${ids.ann}`, { method: 'PUT', headers: await as('admin'), body: JSON.stringify({ teams: ['no spaces'] }) }), 400],
    ['a bad role', async () => app.request('/v1/agents', { method: 'POST', headers: await as('admin'), body: JSON.stringify({ email: 'y@acme.test', name: 'Y', role: 'root' }) }), 400],
    ['an email that exists', async () => app.request('/v1/agents', { method: 'POST', headers: await as('admin'), body: JSON.stringify({ email: 'ann@acme.test', name: 'A', role: 'agent' }) }), 409],
  ])('refuses %s with %i', async (_what, call, status) => {
    expect((await call()).status).toBe(status);
  });

  it('nothing refused above changed Ann', () => {
    expect(accounts.get(ids.ann!)).toMatchObject({ teams: ['sales', 'tier1'], disabled: false });
  });
});

describe('PUT /v1/agents/:id/avatar', () => {
  const AVATAR = 'https://cdn.acme.test/ann.png';
  const put = async (who: 'admin' | 'ann' | 'other', id: string, avatar: unknown): Promise<Response> =>
    app.request(`/v1/agents/${id}/avatar`, { method: 'PUT', headers: await as(who), body: JSON.stringify({ avatar }) });

  it('an agent sets their own avatar: answered, listed in the directory, returned at the next sign-in', async () => {
    const res = await put('ann', ids.ann!, AVATAR);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ agent: { id: ids.ann, avatar: AVATAR } });
    const list = (await (await app.request('/v1/agents', { headers: await as('admin') })).json()) as { agents: { id: string; avatar?: string }[] };
    expect(list.agents.find((a) => a.id === ids.ann)?.avatar).toBe(AVATAR);
    // Accounts without one carry no key at all (the app falls back to the initial).
    expect(list.agents.find((a) => a.id === ids.admin)).not.toHaveProperty('avatar');
    const signIn = await app.request('/v1/auth/signin', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.0.0.2' }, body: JSON.stringify({ email: 'ann@acme.test', password: PASSWORD }) });
    expect(await signIn.json()).toMatchObject({ sub: ids.ann, avatar: AVATAR });
  });

  it('an admin changes anyone\'s in their workspace, and null removes it', async () => {
    expect(await (await put('admin', ids.ann!, 'https://cdn.acme.test/ann-2.png')).json()).toMatchObject({ agent: { avatar: 'https://cdn.acme.test/ann-2.png' } });
    const removed = (await (await put('admin', ids.ann!, null)).json()) as { agent: Record<string, unknown> };
    expect(removed.agent).not.toHaveProperty('avatar');
    expect(accounts.get(ids.ann!)).not.toHaveProperty('avatar');
    expect((await put('ann', ids.ann!, AVATAR)).status).toBe(200);
  });

  it.each<[string, () => Promise<Response>, number]>([
    ['an agent changing someone else\'s', () => put('ann', ids.admin!, 'https://cdn.acme.test/x.png'), 403],
    ['an admin of another workspace', () => put('other', ids.ann!, 'https://evil.test/x.png'), 404],
    ['a javascript: URL', () => put('ann', ids.ann!, 'javascript:alert(1)'), 400],
    ['a data: URL', () => put('ann', ids.ann!, 'data:image/png;base64,AAAA'), 400],
    ['plain http off loopback', () => put('ann', ids.ann!, 'http://cdn.acme.test/ann.png'), 400],
    ['not a string', () => put('ann', ids.ann!, 42), 400],
    ['a customer', async () => app.request(`/v1/agents/${ids.ann}/avatar`, { method: 'PUT', headers: await bearer('customer', 'acme', 'c1'), body: JSON.stringify({ avatar: 'https://x.test/a.png' }) }), 403],
    ['no token', async () => app.request(`/v1/agents/${ids.ann}/avatar`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ avatar: 'https://x.test/a.png' }) }), 401],
  ])('refuses %s with %i', async (_what, call, status) => {
    const res = await call();
    expect(res.status).toBe(status);
    expect(((await res.json()) as { message?: string }).message).toBeTruthy();
  });

  it('nothing refused above changed any avatar', () => {
    expect(accounts.get(ids.ann!)?.avatar).toBe(AVATAR);
    expect(accounts.get(ids.admin!)).not.toHaveProperty('avatar');
  });
});
