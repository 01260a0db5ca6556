/**
 * The JSON API under /v1: anonymous customer sessions, device pairing, agent sign-in and token
 * refresh. Every refusal is an HttpError; app.ts turns it into a response.
 */
import { Hono, type Context } from 'hono';
import type { AgentEntry } from '@parley/core';
import { bodyLimit } from 'hono/body-limit';
import { randomBytes } from 'node:crypto';
import type { AppDeps, AppEnv } from './app.js';
import { clientIp } from './app.js';
import { authenticate } from './authenticate.js';
import { HttpError, badRequest, forbidden, notFound, unauthorised } from './errors.js';
import { createRateLimiter, type RateLimit } from './rate-limit.js';
import { DEFAULT_TTL_SECONDS, ID_PATTERN, type TokenRequest } from '../auth/tokens.js';
import { checkTeams, type Account } from '../accounts/accounts.js';
import type { Principal } from '../auth/principal.js';

export interface ApiLimits {
  /** new anonymous sessions per client address */
  sessionsPerIp: RateLimit;
  /** sign-in attempts per client address */
  signInPerIp: RateLimit;
  /** pairing redemptions per client address */
  redeemPerIp: RateLimit;
  /** redemption attempts per code value (a code shared with an attacker is burnt anyway) */
  redeemPerCode: RateLimit;
  /** largest JSON body */
  maxJsonBytes: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = {
  sessionsPerIp: { limit: 30, windowMs: 60_000 },
  signInPerIp: { limit: 10, windowMs: 60_000 },
  redeemPerIp: { limit: 10, windowMs: 60_000 },
  redeemPerCode: { limit: 5, windowMs: 10 * 60_000 },
  maxJsonBytes: 16 * 1024,
};

/** The answer of every endpoint that issues a token. */
export interface TokenResponse {
  token: string;
  ws: string;
  role: TokenRequest['role'];
  sub: string;
  name?: string;
  expiresAt: number;
  /** agents and admins: the teams they answer for (sign-in and refresh) */
  teams?: string[];
}

/** An agent or admin as `GET /v1/agents` lists them (the shape the agent app reads): never credentials. */
const toEntry = (a: Account): AgentEntry => ({ id: a.id, name: a.name, email: a.email, role: a.role, teams: a.teams, disabled: a.disabled, ...(a.avatar ? { avatar: a.avatar } : {}) });

export function apiRoutes(deps: AppDeps): Hono<AppEnv> {
  const limits = { ...DEFAULT_API_LIMITS, ...deps.api };
  const api = new Hono<AppEnv>();
  const sessionsPerIp = createRateLimiter(limits.sessionsPerIp, 'new sessions');
  const signInPerIp = createRateLimiter(limits.signInPerIp, 'sign-in attempts');
  const redeemPerIp = createRateLimiter(limits.redeemPerIp, 'pairing attempts');
  const redeemPerCode = createRateLimiter(limits.redeemPerCode, 'attempts for this code');
  const log = deps.log.child({ component: 'api' });

  const issue = async (request: TokenRequest): Promise<TokenResponse> => {
    const ttl = DEFAULT_TTL_SECONDS[request.role];
    const token = await deps.tokens.sign(request, ttl);
    return { token, ws: request.ws, role: request.role, sub: request.sub, ...(request.name ? { name: request.name } : {}), expiresAt: Date.now() + ttl * 1000 };
  };
  const body = readJson;
  api.use(
    '*',
    bodyLimit({
      maxSize: limits.maxJsonBytes,
      onError: () => {
        throw new HttpError('too_large', `JSON bodies are at most ${limits.maxJsonBytes} bytes`);
      },
    }),
  );

  api.post('/sessions', async (c) => {
    sessionsPerIp.take(clientIp(c, deps.trustProxy));
    const { ws, name } = await body(c);
    if (typeof ws !== 'string') throw badRequest('ws (the workspace id) is required');
    if (!deps.accounts.hasWorkspace(ws)) throw notFound(`no workspace ${ws}`);
    const customerId = `c${randomBytes(12).toString('base64url')}`;
    const session = await issue({ ws, role: 'customer', sub: customerId, ...optionalName(name) });
    log.info('session created', { ws, customerId });
    return c.json(session, 201);
  });

  api.post('/pairing', authenticate(deps.tokens), async (c) => {
    const p = c.var.principal;
    if (p.role !== 'customer') throw forbidden('only customers pair devices');
    const code = deps.pairing.create({ ws: p.ws, customerId: p.sub, ...(p.name ? { name: p.name } : {}) });
    return c.json(code, 201);
  });

  api.post('/pairing/redeem', async (c) => {
    redeemPerIp.take(clientIp(c, deps.trustProxy));
    const { code } = await body(c);
    if (typeof code !== 'string' || code.length > 64) throw badRequest('code is required');
    redeemPerCode.take(code.toUpperCase().replace(/[\s-]/g, ''));
    const customer = deps.pairing.redeem(code);
    log.info('device paired', { ws: customer.ws, customerId: customer.customerId });
    return c.json(await issue({ ws: customer.ws, role: 'customer', sub: customer.customerId, ...optionalName(customer.name) }), 201);
  });

  api.post('/auth/signin', async (c) => {
    signInPerIp.take(clientIp(c, deps.trustProxy));
    const { email, password } = await body(c);
    if (typeof email !== 'string' || typeof password !== 'string') throw badRequest('email and password are required');
    const account = await deps.accounts.signIn(email, password);
    log.info('signed in', { ws: account.ws, account: account.id, role: account.role });
    return c.json({ ...(await issue({ ws: account.ws, role: account.role, sub: account.id, name: account.name })), teams: account.teams, ...(account.avatar ? { avatar: account.avatar } : {}) });
  });

  api.post('/tokens/refresh', authenticate(deps.tokens), async (c) => {
    const p = c.var.principal;
    // Staff tokens die with their account; a removed agent cannot refresh forever.
    const account = p.role === 'agent' || p.role === 'admin' ? deps.accounts.get(p.sub) : null;
    if ((p.role === 'agent' || p.role === 'admin') && account?.ws !== p.ws) throw unauthorised('account no longer exists');
    if (account?.disabled) throw unauthorised('account is disabled');
    const issued = await issue({ ws: p.ws, role: p.role, sub: p.sub, ...optionalName(p.name), ...(p.role === 'bot' ? { grants: p.grants } : {}) });
    return c.json(account ? { ...issued, teams: account.teams } : issued);
  });

  // The agent directory: who works in this workspace and in which teams. Staff only, own workspace.
  api.get('/agents', authenticate(deps.tokens), (c) => {
    const p = requireStaff(c.var.principal, deps);
    return c.json({ agents: deps.accounts.list(p.ws).map(toEntry) });
  });

  api.post('/agents', authenticate(deps.tokens), async (c) => {
    const p = requireAdmin(c.var.principal, deps);
    const { email, name, role, password, teams } = await body(c);
    if (typeof email !== 'string' || typeof name !== 'string') throw badRequest('email and name are required');
    if (role !== 'agent' && role !== 'admin') throw badRequest('role must be agent or admin');
    if (password !== undefined && typeof password !== 'string') throw badRequest('password must be a string');
    const created = await deps.accounts.add({ ws: p.ws, email, name, role, teams: checkTeams(teams ?? []), ...(password ? { password } : {}) });
    log.info('account added', { ws: p.ws, account: created.account.id, by: p.sub });
    // The generated password is shown once, to the admin who created the account.
    return c.json({ agent: toEntry(created.account), ...(password ? {} : { password: created.password }) }, 201);
  });

  api.put('/agents/:id', authenticate(deps.tokens), async (c) => {
    const p = requireAdmin(c.var.principal, deps);
    const id = c.req.param('id');
    // Another workspace's account is simply not there.
    if (deps.accounts.get(id)?.ws !== p.ws) throw notFound(`no account ${id}`);
    const { teams, disabled } = await body(c);
    if (disabled !== undefined && typeof disabled !== 'boolean') throw badRequest('disabled must be true or false');
    if (disabled === true && id === p.sub) throw badRequest('you cannot disable your own account');
    if (teams !== undefined) deps.accounts.setTeams(id, checkTeams(teams));
    if (disabled !== undefined) deps.accounts.setDisabled(id, disabled);
    // Tokens already handed out stay signed: close the disabled agent's sockets now, and the token
    // check (accounts/withdrawn-access.ts) refuses its next upgrade, request or refresh.
    if (disabled === true) deps.relay.revoke((q) => q.ws === p.ws && q.sub === id && (q.role === 'agent' || q.role === 'admin'));
    log.info('account changed', { ws: p.ws, account: id, by: p.sub, ...(teams !== undefined ? { teams } : {}), ...(disabled !== undefined ? { disabled } : {}) });
    return c.json({ agent: toEntry(deps.accounts.get(id)!) });
  });

  // An agent changes only their own picture; an admin anyone's in the workspace. null or '' removes it.
  api.put('/agents/:id/avatar', authenticate(deps.tokens), async (c) => {
    const p = requireStaff(c.var.principal, deps);
    const id = c.req.param('id');
    if (id !== p.sub && p.role !== 'admin') throw forbidden('agents change only their own avatar');
    if (deps.accounts.get(id)?.ws !== p.ws) throw notFound(`no account ${id}`);
    const { avatar } = await body(c);
    if (avatar !== null && typeof avatar !== 'string') throw badRequest('avatar must be an https URL, or null to remove it');
    const agent = deps.accounts.setAvatar(id, avatar === null || avatar === '' ? null : avatar);
    log.info('avatar changed', { ws: p.ws, account: id, by: p.sub });
    return c.json({ agent: toEntry(agent) });
  });

  // Withdraws a customer's access everywhere at once: every token it holds now is void (a stolen
  // phone, a closed account), its open sockets are closed with 4401. Tokens signed afterwards (the
  // site signs the user in again, or a new anonymous session) work.
  api.post('/customers/:cid/revoke', authenticate(deps.tokens), async (c) => {
    const p = requireAdmin(c.var.principal, deps);
    const cid = c.req.param('cid');
    if (!ID_PATTERN.test(cid)) throw badRequest('customer ids are 1-64 letters, digits, - or _');
    deps.accounts.revokeTokens(p.ws, 'customer', cid, Date.now());
    // A code handed out before would mint a fresh token for the same customer.
    deps.pairing.burnAll({ ws: p.ws, customerId: cid });
    deps.relay.revoke((q) => q.ws === p.ws && q.role === 'customer' && q.sub === cid);
    log.info('customer access revoked', { ws: p.ws, customer: cid, by: p.sub });
    return c.body(null, 204);
  });

  return api;
}

/** Agents and admins whose account still exists, in the token's workspace and is not disabled. */
function requireStaff(p: Principal, deps: AppDeps): Principal {
  if (p.role !== 'agent' && p.role !== 'admin') throw forbidden('only agents and admins see the agent directory');
  const account = deps.accounts.get(p.sub);
  if (account?.ws !== p.ws || account.disabled) throw unauthorised('account no longer exists or is disabled');
  return p;
}

function requireAdmin(p: Principal, deps: AppDeps): Principal {
  requireStaff(p, deps);
  if (p.role !== 'admin') throw forbidden('only admins manage accounts');
  return p;
}

function optionalName(name: unknown): { name?: string } {
  if (name === undefined || name === null) return {};
  if (typeof name !== 'string' || name.length > 200) throw badRequest('name must be a string of at most 200 characters');
  return name.trim() ? { name: name.trim() } : {};
}

/** Parses a small JSON object body (bodyLimit has bounded it); 400 for anything that is not an object. */
async function readJson(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  let value: unknown;
  try {
    value = text === '' ? {} : JSON.parse(text);
  } catch {
    throw badRequest('body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('body must be a JSON object');
  return value as Record<string, unknown>;
}
