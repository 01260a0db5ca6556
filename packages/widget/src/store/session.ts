/**
 * Who the customer is: a token signed by the host site (identify), a device paired by code, or an
 * anonymous session the relay issues. The token is kept in localStorage so a reload, a crash or a
 * new tab is the same customer with the same history.
 */
import { WidgetError } from './errors.js';

export interface Session {
  token: string;
  ws: string;
  customerId: string;
  /** ms since epoch */
  expiresAt: number;
  /** signed by the host site for its logged-in user (identify), not an anonymous visitor */
  identified?: boolean;
}

export interface SessionOptions {
  relay: string;
  workspace: string;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  fetch?: typeof fetch;
}

/** Renew a stored session this long before it expires, so an open socket never holds a dead token. */
const RENEW_MARGIN_MS = 24 * 3600_000;

const storageKey = (ws: string): string => `parley:session:${ws}`;

/** Reads the claims of a JWT without verifying it: the relay verifies; we only need sub and exp. */
export function sessionFromToken(token: string): Session {
  const part = token.split('.')[1];
  if (!part) throw new WidgetError('bad_token', 'not a JWT');
  let claims: { ws?: unknown; sub?: unknown; exp?: unknown };
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as typeof claims;
  } catch {
    throw new WidgetError('bad_token', 'unreadable token claims');
  }
  if (typeof claims.ws !== 'string' || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') {
    throw new WidgetError('bad_token', 'token lacks ws, sub or exp');
  }
  return { token, ws: claims.ws, customerId: claims.sub, expiresAt: claims.exp * 1000 };
}

export function createSessionStore(opts: SessionOptions) {
  const storage = opts.storage ?? globalThis.localStorage;
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const relay = opts.relay.replace(/\/$/, '');
  const key = storageKey(opts.workspace);

  /** The stored session if it is still valid (maybe close to expiry), else null. */
  function stored(): Session | null {
    const token = storage.getItem(key);
    if (!token) return null;
    try {
      const s = sessionFromToken(token);
      return s.ws === opts.workspace && s.expiresAt > Date.now() + 60_000 ? s : null;
    } catch {
      return null;
    }
  }

  function keep(token: string): Session {
    const s = sessionFromToken(token);
    if (s.ws !== opts.workspace) throw new WidgetError('bad_token', `token is for workspace ${s.ws}, not ${opts.workspace}`);
    storage.setItem(key, token);
    return s;
  }

  async function post(path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await doFetch(`${relay}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw new WidgetError('network', `cannot reach the relay: ${(err as Error).message}`);
    }
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      const message = typeof json.message === 'string' ? json.message : res.statusText;
      const spentCode = path.endsWith('/redeem') && [400, 404, 410].includes(res.status);
      throw new WidgetError(res.status === 401 ? 'unauthorised' : spentCode ? 'pairing_invalid' : 'relay', message, res.status);
    }
    return json;
  }

  return {
    /** The stored session if still good, else a fresh anonymous one. */
    async current(): Promise<Session> {
      const s = stored();
      if (s && s.expiresAt - Date.now() > RENEW_MARGIN_MS) return s;
      if (s) {
        // Close to expiry: refresh it, keeping the customer id (and so the history). A relay that
        // cannot refresh now leaves the old token in use until it can.
        try {
          const json = await post('/v1/tokens/refresh', {}, s.token);
          if (typeof json.token === 'string') return keep(json.token);
        } catch (err) {
          if (!(err instanceof WidgetError) || err.code !== 'unauthorised') return s;
        }
      }
      const json = await post('/v1/sessions', { ws: opts.workspace });
      if (typeof json.token !== 'string') throw new WidgetError('relay', 'session response has no token');
      return keep(json.token);
    },
    /** A token signed by the host site for its logged-in user replaces any anonymous session. */
    identify(token: string): Session {
      return { ...keep(token), identified: true };
    },
    /** Ask the relay for a one-time code another device can redeem to become this customer. */
    async createPairing(session: Session): Promise<{ code: string; expiresAt: number }> {
      const json = await post('/v1/pairing', { ws: opts.workspace }, session.token);
      if (typeof json.code !== 'string') throw new WidgetError('relay', 'pairing response has no code');
      const expiresAt = typeof json.expiresAt === 'number' ? json.expiresAt : Date.now() + 10 * 60_000;
      return { code: json.code, expiresAt };
    },
    async redeemPairing(code: string): Promise<Session> {
      const json = await post('/v1/pairing/redeem', { code, ws: opts.workspace });
      if (typeof json.token !== 'string') throw new WidgetError('pairing_invalid', 'redeem response has no token');
      return keep(json.token);
    },
    forget(): void {
      storage.removeItem(key);
    },
  };
}
export type SessionStore = ReturnType<typeof createSessionStore>;
