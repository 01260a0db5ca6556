/**
 * `/v1/push`: the relay's VAPID public key (what browsers subscribe with) and a customer's push
 * subscriptions. Only customers subscribe: agents have the agent app's desktop notifications.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/app.js';
import { authenticate } from '../http/authenticate.js';
import { badRequest, forbidden, notFound } from '../http/errors.js';
import type { Tokens } from '../auth/tokens.js';
import type { Logger } from '../log.js';
import { checkEndpoint, parseSubscription, type CustomerRef, type PushSubscriptions } from './subscriptions.js';

export interface PushRoutesDeps {
  tokens: Tokens;
  subscriptions: PushSubscriptions;
  vapidPublicKey: string;
  /** tests only: accept http://127.0.0.1 endpoints (a local receiver stands in for a push service) */
  allowLoopbackHttp?: boolean;
  log: Logger;
}

export function pushRoutes(deps: PushRoutesDeps): Hono<AppEnv> {
  const push = new Hono<AppEnv>();
  const log = deps.log.child({ component: 'push' });
  const validate = { allowLoopbackHttp: deps.allowLoopbackHttp === true };

  // Public: it is in every subscription anyway, and the widget needs it before it has a session.
  push.get('/key', (c) => c.json({ publicKey: deps.vapidPublicKey }, 200, { 'Cache-Control': 'public, max-age=300' }));

  push.use('/subscriptions', authenticate(deps.tokens));
  push.post('/subscriptions', async (c) => {
    const customer = customerOf(c);
    const subscription = parseSubscription(await readJson(c), validate);
    deps.subscriptions.add(customer, subscription);
    log.info('push subscription saved', { ws: customer.ws, customerId: customer.customerId, host: new URL(subscription.endpoint).host });
    return c.json({ subscribed: true }, 201);
  });
  push.delete('/subscriptions', async (c) => {
    const customer = customerOf(c);
    const { endpoint } = (await readJson(c)) as { endpoint?: unknown };
    if (typeof endpoint !== 'string') throw badRequest('endpoint is required');
    checkEndpoint(endpoint, validate);
    if (!deps.subscriptions.remove(customer, endpoint)) throw notFound('no such subscription for this customer');
    return c.body(null, 204);
  });
  return push;
}

function customerOf(c: Context<AppEnv>): CustomerRef {
  const principal = c.get('principal');
  if (principal.role !== 'customer') throw forbidden('only customers subscribe to push notifications');
  return { ws: principal.ws, customerId: principal.sub };
}

async function readJson(c: Context<AppEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw badRequest('body must be JSON');
  }
}
