/**
 * The middleware that turns a token (Authorization header, or `?token=` where browsers cannot set
 * headers: websockets, <img src>) into `c.var.principal`, or a 401 before anything else runs.
 */
import type { MiddlewareHandler } from 'hono';
import type { Tokens } from '../auth/tokens.js';
import { tokenFrom } from '../auth/tokens.js';
import { unauthorised } from './errors.js';
import type { AppEnv } from './app.js';

export function authenticate(tokens: Tokens): MiddlewareHandler<AppEnv> {
  return async function authenticateRequest(c, next) {
    const token = tokenFrom(c.req.header('authorization'), c.req.query('token'));
    if (!token) throw unauthorised('a token is required (Authorization: Bearer … or ?token=)');
    c.set('principal', await tokens.verify(token));
    await next();
  };
}
