/**
 * The browser half of Web Push: register Parley's service worker (from the page's own origin),
 * subscribe with the relay's VAPID key, and hand the subscription to the relay for this customer.
 */
import { pushAvailability } from './choice.js';

export { pushAvailability, type PushAvailability } from './choice.js';

export const DEFAULT_SW_URL = '/parley-sw.js';

export class PushSetupError extends Error {
  override readonly name = 'PushSetupError';
  constructor(
    readonly code: 'unsupported' | 'denied' | 'service_worker' | 'relay' | 'subscribe',
    message: string,
  ) {
    super(message);
  }
}

export interface SubscribeOptions {
  relay: string;
  /** the customer's token (the widget's session) */
  token: string;
  /** where the host site serves parley-sw.js (default /parley-sw.js on the page's origin) */
  serviceWorkerUrl?: string;
}

/** Asks for permission (call it from a click), subscribes, and saves the subscription at the relay. */
export async function subscribeToPush(options: SubscribeOptions): Promise<PushSubscription> {
  if (pushAvailability() === 'unsupported') throw new PushSetupError('unsupported', 'this browser has no Web Push');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new PushSetupError('denied', 'notifications were not allowed');
  const registration = await registerServiceWorker(options.serviceWorkerUrl ?? DEFAULT_SW_URL);
  const relay = options.relay.replace(/\/$/, '');
  const keyResponse = await fetch(`${relay}/v1/push/key`).catch(() => null);
  if (!keyResponse?.ok) throw new PushSetupError('relay', 'the relay does not offer Web Push');
  const { publicKey } = (await keyResponse.json()) as { publicKey: string };
  let subscription: PushSubscription;
  try {
    const existing = await registration.pushManager.getSubscription();
    // A subscription made with another key (the relay's pair changed) cannot be reused.
    if (existing && !sameKey(existing.options.applicationServerKey, publicKey)) await existing.unsubscribe();
    subscription = (existing && sameKey(existing.options.applicationServerKey, publicKey) ? existing : null) ??
      (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(publicKey) }));
  } catch (err) {
    throw new PushSetupError('subscribe', `the browser's push service refused: ${(err as Error).message}`);
  }
  const saved = await fetch(`${relay}/v1/push/subscriptions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
    body: JSON.stringify(subscription.toJSON()),
  }).catch(() => null);
  if (!saved?.ok) throw new PushSetupError('relay', 'the relay did not save the subscription');
  return subscription;
}

/** Stops notifications on this browser: at the relay first, then the browser's subscription. */
export async function unsubscribeFromPush(options: SubscribeOptions): Promise<void> {
  if (pushAvailability() === 'unsupported') return;
  const registration = await navigator.serviceWorker.getRegistration(options.serviceWorkerUrl ?? DEFAULT_SW_URL);
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return;
  await fetch(`${options.relay.replace(/\/$/, '')}/v1/push/subscriptions`, {
    method: 'DELETE',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
    body: JSON.stringify({ endpoint: subscription.endpoint }),
  }).catch(() => undefined);
  await subscription.unsubscribe();
}

export async function registerServiceWorker(url: string): Promise<ServiceWorkerRegistration> {
  try {
    await navigator.serviceWorker.register(url, { scope: '/' });
    // Subscribing needs an active worker; `ready` resolves once there is one for this page.
    return await navigator.serviceWorker.ready;
  } catch (err) {
    throw new PushSetupError('service_worker', `cannot register ${url} (the site must serve it from its own origin): ${(err as Error).message}`);
  }
}

function fromBase64Url(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(value.length / 4) * 4, '=');
  const bytes = atob(base64);
  const out = new Uint8Array(new ArrayBuffer(bytes.length));
  for (let i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i);
  return out;
}

function sameKey(key: ArrayBuffer | null, publicKey: string): boolean {
  if (!key) return false;
  const a = new Uint8Array(key);
  const b = fromBase64Url(publicKey);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
