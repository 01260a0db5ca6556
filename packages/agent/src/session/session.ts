/**
 * Signing in and out. The token lives in sessionStorage: it survives reloads of this tab (so an
 * offline reload still opens the replicas) and is gone when the browser session ends.
 */
import { isAvatarUrl, type Role } from '@parley/core';

export interface Session {
  /** http(s) origin of the relay, no trailing slash */
  relayUrl: string;
  token: string;
  ws: string;
  role: Role;
  /** the agent's id (token subject) */
  agentId: string;
  name: string;
  email: string;
  /** ms since epoch */
  expiresAt: number;
  /** teams this agent answers for, as the relay said at sign-in */
  teams: string[];
  /** the agent's https picture URL from their account, copied into each message they write */
  avatar?: string;
}

export class SignInError extends Error {
  override readonly name = 'SignInError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const STORAGE_KEY = 'parley.agent.session';

interface TokenClaims {
  ws: string;
  role: Role;
  sub: string;
  name?: string;
  exp: number;
}

/** Reads a JWT's claims without verifying them: the relay verifies; the app only needs to know who it is. */
export function readClaims(token: string): TokenClaims {
  const part = token.split('.')[1];
  if (!part) throw new SignInError(500, 'the relay returned a malformed token');
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
  const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Partial<TokenClaims>;
  if (typeof claims.ws !== 'string' || typeof claims.sub !== 'string' || typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
    throw new SignInError(500, 'the relay returned a token without workspace, role or subject');
  }
  return claims as TokenClaims;
}

export async function signIn(relayUrl: string, email: string, password: string, fetchImpl: typeof fetch = fetch): Promise<Session> {
  let res: Response;
  try {
    res = await fetchImpl(`${relayUrl}/v1/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  } catch {
    throw new SignInError(0, 'Cannot reach Parley. Check your connection and try again.');
  }
  if (res.status === 401 || res.status === 403) throw new SignInError(res.status, 'Wrong email or password.');
  if (!res.ok) throw new SignInError(res.status, `Sign-in failed (${res.status}).`);
  const body = (await res.json()) as { token?: unknown; name?: unknown; agent?: { name?: unknown }; teams?: unknown; avatar?: unknown };
  if (typeof body.token !== 'string') throw new SignInError(500, 'the relay answered without a token');
  const claims = readClaims(body.token);
  if (claims.role !== 'agent' && claims.role !== 'admin') throw new SignInError(403, 'This account is not an agent account.');
  const name = typeof claims.name === 'string' ? claims.name : typeof body.agent?.name === 'string' ? body.agent.name : email;
  const teams = Array.isArray(body.teams) ? body.teams.filter((t): t is string => typeof t === 'string') : [];
  return { relayUrl, token: body.token, ws: claims.ws, role: claims.role, agentId: claims.sub, name, email, expiresAt: claims.exp * 1000, teams, ...(isAvatarUrl(body.avatar) ? { avatar: body.avatar } : {}) };
}

export function saveSession(session: Session, storage: Storage = sessionStorage): void {
  storage.setItem(STORAGE_KEY, JSON.stringify(session));
}

/** The saved session, or null when there is none or it has expired. */
export function loadSession(storage: Storage = sessionStorage, now = Date.now()): Session | null {
  const raw = storage.getItem(STORAGE_KEY);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Session;
    // Sessions saved before teams existed have none until the directory answers.
    return s.expiresAt > now ? { ...s, teams: Array.isArray(s.teams) ? s.teams : [] } : null;
  } catch {
    return null;
  }
}

export function forgetSession(storage: Storage = sessionStorage): void {
  storage.removeItem(STORAGE_KEY);
}

/**
 * Deletes this device's replicas: every IndexedDB database whose name `isReplica` accepts.
 * Resolves once each deletion completed, so the caller can tell the agent it is done.
 */
export async function deleteReplicas(isReplica: (dbName: string) => boolean): Promise<string[]> {
  const dbs = await indexedDB.databases();
  const names = dbs.map((d) => d.name).filter((n): n is string => typeof n === 'string' && isReplica(n));
  await Promise.all(
    names.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const req = indexedDB.deleteDatabase(name);
          req.onsuccess = () => resolve();
          req.onerror = () => reject(req.error ?? new Error(`could not delete ${name}`));
          // Another tab holding the database open delays deletion; it completes when that tab lets go.
          req.onblocked = () => undefined;
        }),
    ),
  );
  return names;
}
