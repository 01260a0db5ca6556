/**
 * Signed tokens (JWT, HS256, through Hono's helpers). A token proves a Principal: workspace, role,
 * subject and, for bots, explicit grants. Every socket and every authenticated request goes
 * through `verify`, which also validates the claims' shape so nothing downstream has to.
 */
import { sign as jwtSign, verify as jwtVerify } from 'hono/jwt';
import type { Role } from '@parley/core';
import type { Grant, Principal } from './principal.js';
import { unauthorised } from '../http/errors.js';

export const ROLES: readonly Role[] = ['customer', 'agent', 'admin', 'bot'];

/** What a caller asks to be signed; `exp` is computed from the time to live. */
export interface TokenRequest {
  ws: string;
  role: Role;
  sub: string;
  name?: string;
  grants?: Grant[];
}

export interface Tokens {
  sign(request: TokenRequest, ttlSeconds: number): Promise<string>;
  /** The proven principal; throws HttpError 401 for a bad signature, an expired or malformed token. */
  verify(token: string): Promise<Principal>;
}

/** Workspace ids and subjects end up inside document names, so they must be valid path segments. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const DEFAULT_TTL_SECONDS = {
  customer: 30 * 24 * 3600,
  agent: 12 * 3600,
  admin: 12 * 3600,
  bot: 24 * 3600,
} as const satisfies Record<Role, number>;

export interface TokensOptions {
  /** ms since epoch; the clock the verification cache checks expiry against */
  now?: () => number;
  /** tokens whose verification is remembered (LRU); 0 turns the cache off */
  cacheSize?: number;
  /** secrets being rotated out: tokens they signed verify, nothing is signed with them */
  previous?: readonly string[];
}

/**
 * Hono's verify goes through WebCrypto (key import, then HMAC on the thread pool): about 170 µs of
 * CPU per token, paid on every socket a client opens. A token that verified once verifies again
 * until it expires (signature, `nbf` and `iat` do not change with time), so successes are
 * remembered by the whole token string, and only `exp` is checked again on a hit.
 */
const DEFAULT_CACHE_SIZE = 4_096;

export function createTokens(secret: string, options: TokensOptions = {}): Tokens {
  const verifiers = [secret, ...(options.previous ?? [])];
  if (verifiers.some((s) => s.length < 32)) throw new Error('token secret must be at least 32 characters');
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  const verified = new Map<string, Principal>();
  const copy = (p: Principal): Principal => ({ ...p, grants: p.grants.map((g) => ({ ...g })) });
  return {
    async sign(request, ttlSeconds) {
      checkRequest(request);
      if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new Error('ttl must be a positive number of seconds');
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = { ws: request.ws, role: request.role, sub: request.sub, iat: now, exp: now + Math.ceil(ttlSeconds) };
      if (request.name !== undefined) payload.name = request.name;
      if (request.grants !== undefined) payload.grants = request.grants;
      return jwtSign(payload, secret, 'HS256');
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        verified.delete(token);
        if (now() >= known.expiresAt) throw unauthorised('token expired');
        verified.set(token, known);
        return copy(known);
      }
      let payload: Record<string, unknown> | undefined;
      // Hono checks the claims (expiry first) before the signature, so only a signature that does
      // not match the current secret is worth trying against a previous one.
      for (let i = 0; payload === undefined; i++) {
        try {
          payload = await jwtVerify(token, verifiers[i]!, 'HS256');
        } catch (err) {
          // Hono's error class names are stable; its messages include the token, which must not be echoed.
          const name = err instanceof Error ? err.name : '';
          if (name === 'JwtTokenSignatureMismatched' && i + 1 < verifiers.length) continue;
          throw unauthorised(name === 'JwtTokenExpired' ? 'token expired' : 'invalid token');
        }
      }
      const principal = toPrincipal(payload);
      if (cacheSize > 0) {
        verified.set(token, principal);
        if (verified.size > cacheSize) verified.delete(verified.keys().next().value!);
      }
      return copy(principal);
    },
  };
}

function checkRequest(r: TokenRequest): void {
  if (!ID_PATTERN.test(r.ws)) throw new Error(`invalid workspace id: ${r.ws}`);
  if (!ROLES.includes(r.role)) throw new Error(`invalid role: ${r.role}`);
  if (!ID_PATTERN.test(r.sub)) throw new Error(`invalid subject: ${r.sub}`);
  if (r.grants !== undefined && !isGrantList(r.grants)) throw new Error('invalid grants');
}

function toPrincipal(p: Record<string, unknown>): Principal {
  const { ws, role, sub, name, exp, iat, grants } = p;
  if (typeof ws !== 'string' || !ID_PATTERN.test(ws)) throw unauthorised('token has no valid workspace');
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) throw unauthorised('token has no valid role');
  if (typeof sub !== 'string' || !ID_PATTERN.test(sub)) throw unauthorised('token has no valid subject');
  // A token without expiry would be valid forever; refuse rather than guess a lifetime.
  if (typeof exp !== 'number') throw unauthorised('token has no expiry');
  if (grants !== undefined && !isGrantList(grants)) throw unauthorised('token has malformed grants');
  if (name !== undefined && typeof name !== 'string') throw unauthorised('token has a malformed name');
  return {
    ws,
    role: role as Role,
    sub,
    ...(name !== undefined ? { name } : {}),
    expiresAt: exp * 1000,
    ...(typeof iat === 'number' ? { issuedAt: iat * 1000 } : {}),
    grants: role === 'bot' ? ((grants as Grant[] | undefined) ?? []) : [],
  };
}

function isGrantList(v: unknown): v is Grant[] {
  return Array.isArray(v) && v.every((g: unknown) => typeof g === 'object' && g !== null && typeof (g as Grant).prefix === 'string' && ((g as Grant).access === 'r' || (g as Grant).access === 'rw'));
}

/** The token of a request: `Authorization: Bearer …` first, then `?token=` (browsers cannot set headers on websockets). */
export function tokenFrom(authorization: string | undefined, queryToken: string | undefined): string | null {
  if (authorization) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (m) return m[1]!;
  }
  return queryToken && queryToken.length > 0 ? queryToken : null;
}
