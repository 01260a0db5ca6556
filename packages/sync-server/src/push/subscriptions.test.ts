import { describe, expect, it } from 'vitest';
import { createECDH, randomBytes } from 'node:crypto';
import { openAccountsDb } from '../accounts/db.js';
import { HttpError } from '../http/errors.js';
import { createPushSubscriptions, parseSubscription } from './subscriptions.js';

const keys = () => ({ p256dh: createECDH('prime256v1').generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') });
const sub = (endpoint: string) => ({ endpoint, keys: keys() });
const ann = { ws: 'acme', customerId: 'ann' };
const bob = { ws: 'acme', customerId: 'bob' };

describe('parseSubscription', () => {
  it('accepts what PushSubscription.toJSON() gives for an https push service', () => {
    const s = { endpoint: 'https://fcm.googleapis.com/fcm/send/abc', expirationTime: null, keys: keys() };
    expect(parseSubscription(s)).toEqual(s);
  });

  it.each([
    ['plain http', 'http://push.example/x', {}],
    ['a loopback http endpoint without the test option', 'http://127.0.0.1:9/x', {}],
    ['http to another host even with the test option', 'http://10.0.0.1/x', { allowLoopbackHttp: true }],
    ['a file: URL', 'file:///etc/passwd', {}],
    ['credentials in the URL', 'https://user:pw@push.example/x', {}],
    ['not a URL', 'push service', {}],
  ])('refuses %s with 400', (_what, endpoint, options) => {
    expect(() => parseSubscription(sub(endpoint), options)).toThrow(HttpError);
  });

  it('accepts http://127.0.0.1 only when the server option allows it (tests)', () => {
    expect(parseSubscription(sub('http://127.0.0.1:4000/push/1'), { allowLoopbackHttp: true }).endpoint).toBe('http://127.0.0.1:4000/push/1');
  });

  it.each([
    ['a short p256dh', { p256dh: randomBytes(33).toString('base64url'), auth: randomBytes(16).toString('base64url') }],
    ['a short auth secret', { p256dh: keys().p256dh, auth: randomBytes(8).toString('base64url') }],
    ['keys that are not base64url', { p256dh: '!'.repeat(87), auth: '?'.repeat(22) }],
    ['no keys', undefined],
  ])('refuses %s (encryption would fail at send time)', (_what, k) => {
    expect(() => parseSubscription({ endpoint: 'https://push.example/x', keys: k })).toThrow(/keys/);
  });
});

describe('push subscriptions table', () => {
  it('keeps endpoints per customer, moves an endpoint to whoever registers it last, and caps devices per customer', () => {
    const store = createPushSubscriptions(openAccountsDb(':memory:'), { maxPerCustomer: 2 });
    store.add(ann, sub('https://push.example/1'), 1);
    store.add(ann, sub('https://push.example/2'), 2);
    store.add(bob, sub('https://push.example/3'), 3);
    expect(store.list(ann).map((s) => s.endpoint)).toEqual(['https://push.example/1', 'https://push.example/2']);
    // The same browser signed in as another customer: its endpoint now wakes only that customer.
    store.add(bob, sub('https://push.example/2'), 4);
    expect(store.list(ann).map((s) => s.endpoint)).toEqual(['https://push.example/1']);
    store.add(bob, sub('https://push.example/4'), 5);
    expect(store.list(bob).map((s) => s.endpoint)).toEqual(['https://push.example/2', 'https://push.example/4']);
  });

  it('lets a customer remove only their own endpoint; a gone endpoint is forgotten whoever had it', () => {
    const store = createPushSubscriptions(openAccountsDb(':memory:'));
    store.add(ann, sub('https://push.example/1'));
    expect(store.remove(bob, 'https://push.example/1')).toBe(false);
    expect(store.list(ann)).toHaveLength(1);
    store.forget('https://push.example/1');
    expect(store.list(ann)).toEqual([]);
  });

  it('remembers the last reply pushed per conversation', () => {
    const store = createPushSubscriptions(openAccountsDb(':memory:'));
    expect(store.lastNotified('ws/acme/customers/ann/conv/k1')).toBeNull();
    store.markNotified('ws/acme/customers/ann/conv/k1', 'm1');
    store.markNotified('ws/acme/customers/ann/conv/k1', 'm2');
    expect(store.lastNotified('ws/acme/customers/ann/conv/k1')).toBe('m2');
  });
});
