/**
 * Customers' push subscriptions, one row per browser endpoint, in the relay's accounts file.
 *
 * Why here and not in the customer's profile document: an endpoint plus its keys is a capability to
 * wake that device, so agents (who read profiles) must not see it; the notifier needs a lookup by
 * customer, not a document to sync; and the relay never parses documents. The table is created by
 * this module (additively, next to the accounts tables) so nothing else has to know about it.
 */
import type { AccountsDb } from '../accounts/db.js';
import { badRequest } from '../http/errors.js';

export interface PushKeys {
  /** the browser's P-256 public key, base64url */
  p256dh: string;
  /** 16-byte auth secret, base64url */
  auth: string;
}

/** What `PushSubscription.toJSON()` gives, checked. */
export interface PushSubscriptionJson {
  endpoint: string;
  keys: PushKeys;
  expirationTime?: number | null;
}

export interface CustomerRef {
  ws: string;
  customerId: string;
}

export interface StoredSubscription extends PushSubscriptionJson {
  ws: string;
  customerId: string;
  createdAt: number;
}

export interface PushSubscriptions {
  /** Saves (or moves to this customer) the endpoint; the oldest beyond `maxPerCustomer` are dropped. */
  add(customer: CustomerRef, subscription: PushSubscriptionJson, now?: number): void;
  /** Removes one of this customer's endpoints; false when it was not theirs or not there. */
  remove(customer: CustomerRef, endpoint: string): boolean;
  /** The push service said the endpoint is gone (404/410): forget it whoever owned it. */
  forget(endpoint: string): void;
  list(customer: CustomerRef): StoredSubscription[];
  /** The last agent reply decided on in a conversation (pushed, or read in time), across restarts. */
  lastNotified(doc: string): string | null;
  markNotified(doc: string, messageId: string, now?: number): void;
}

export interface ValidateOptions {
  /** tests only: accept `http://127.0.0.1:<port>/…` endpoints (a local receiver instead of a push service) */
  allowLoopbackHttp?: boolean;
}

const schema = `
CREATE TABLE IF NOT EXISTS push_subscriptions (
  endpoint TEXT PRIMARY KEY,
  ws TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  p256dh TEXT NOT NULL,
  auth TEXT NOT NULL,
  expiration_time INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS push_subscriptions_customer ON push_subscriptions (ws, customer_id, created_at);
CREATE TABLE IF NOT EXISTS push_notified (
  doc TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  at INTEGER NOT NULL
);
`;

/** A customer with more browsers than this is unusual; the cap keeps a looping client from filling the table. */
export const MAX_SUBSCRIPTIONS_PER_CUSTOMER = 10;
const MAX_ENDPOINT_LENGTH = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+=*$/;

interface Row {
  endpoint: string;
  ws: string;
  customer_id: string;
  p256dh: string;
  auth: string;
  expiration_time: number | null;
  created_at: number;
}

export function createPushSubscriptions(db: AccountsDb, options: { maxPerCustomer?: number } = {}): PushSubscriptions {
  db.exec(schema);
  const maxPerCustomer = options.maxPerCustomer ?? MAX_SUBSCRIPTIONS_PER_CUSTOMER;
  const upsert = db.prepare(
    `INSERT INTO push_subscriptions (endpoint, ws, customer_id, p256dh, auth, expiration_time, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (endpoint) DO UPDATE SET ws = excluded.ws, customer_id = excluded.customer_id, p256dh = excluded.p256dh,
       auth = excluded.auth, expiration_time = excluded.expiration_time, created_at = excluded.created_at`,
  );
  const trim = db.prepare(
    `DELETE FROM push_subscriptions WHERE ws = ? AND customer_id = ? AND endpoint NOT IN
       (SELECT endpoint FROM push_subscriptions WHERE ws = ? AND customer_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?)`,
  );
  const removeOwn = db.prepare('DELETE FROM push_subscriptions WHERE ws = ? AND customer_id = ? AND endpoint = ?');
  const removeAny = db.prepare('DELETE FROM push_subscriptions WHERE endpoint = ?');
  const select = db.prepare<[string, string], Row>('SELECT * FROM push_subscriptions WHERE ws = ? AND customer_id = ? ORDER BY created_at');
  const getNotified = db.prepare<[string], { message_id: string }>('SELECT message_id FROM push_notified WHERE doc = ?');
  const setNotified = db.prepare(
    'INSERT INTO push_notified (doc, message_id, at) VALUES (?, ?, ?) ON CONFLICT (doc) DO UPDATE SET message_id = excluded.message_id, at = excluded.at',
  );
  const add = db.transaction((c: CustomerRef, s: PushSubscriptionJson, now: number) => {
    upsert.run(s.endpoint, c.ws, c.customerId, s.keys.p256dh, s.keys.auth, s.expirationTime ?? null, now);
    trim.run(c.ws, c.customerId, c.ws, c.customerId, maxPerCustomer);
  });

  return {
    add: (customer, subscription, now = Date.now()) => add(customer, subscription, now),
    remove: (customer, endpoint) => removeOwn.run(customer.ws, customer.customerId, endpoint).changes > 0,
    forget: (endpoint) => void removeAny.run(endpoint),
    list: (customer) =>
      select.all(customer.ws, customer.customerId).map((r) => ({
        endpoint: r.endpoint,
        keys: { p256dh: r.p256dh, auth: r.auth },
        expirationTime: r.expiration_time,
        ws: r.ws,
        customerId: r.customer_id,
        createdAt: r.created_at,
      })),
    lastNotified: (doc) => getNotified.get(doc)?.message_id ?? null,
    markNotified: (doc, messageId, now = Date.now()) => void setNotified.run(doc, messageId, now),
  };
}

/**
 * Checks a body that claims to be `PushSubscription.toJSON()`. The endpoint is where the relay will
 * POST, so only https is accepted (anything else would let a customer make the relay call arbitrary
 * local services); the keys must have the sizes RFC 8291 needs, or encryption fails at send time.
 */
export function parseSubscription(body: unknown, options: ValidateOptions = {}): PushSubscriptionJson {
  if (typeof body !== 'object' || body === null) throw badRequest('body must be a PushSubscription as JSON');
  const { endpoint, keys, expirationTime } = body as Record<string, unknown>;
  if (typeof endpoint !== 'string' || endpoint.length > MAX_ENDPOINT_LENGTH) throw badRequest('endpoint must be a URL string');
  checkEndpoint(endpoint, options);
  if (typeof keys !== 'object' || keys === null) throw badRequest('keys.p256dh and keys.auth are required');
  const { p256dh, auth } = keys as Record<string, unknown>;
  if (typeof p256dh !== 'string' || decodedLength(p256dh) !== 65) throw badRequest('keys.p256dh must be an uncompressed P-256 public key (65 bytes, base64url)');
  if (typeof auth !== 'string' || decodedLength(auth) !== 16) throw badRequest('keys.auth must be a 16-byte secret (base64url)');
  if (expirationTime !== undefined && expirationTime !== null && (typeof expirationTime !== 'number' || !Number.isFinite(expirationTime))) {
    throw badRequest('expirationTime must be a number or null');
  }
  return { endpoint, keys: { p256dh, auth }, expirationTime: (expirationTime as number | null | undefined) ?? null };
}

export function checkEndpoint(endpoint: string, options: ValidateOptions = {}): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw badRequest('endpoint is not a URL');
  }
  if (url.username || url.password) throw badRequest('endpoint must not carry credentials');
  if (url.protocol === 'https:') return;
  if (options.allowLoopbackHttp && url.protocol === 'http:' && url.hostname === '127.0.0.1') return;
  throw badRequest('endpoint must be an https:// URL of a push service');
}

function decodedLength(value: string): number {
  if (!BASE64URL.test(value)) return -1;
  return Buffer.from(value, 'base64url').length;
}
