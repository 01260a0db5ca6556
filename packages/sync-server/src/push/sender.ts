/**
 * Sends one Web Push message: web-push builds the request (VAPID JWT, RFC 8291 aes128gcm payload
 * encryption), and Node's fetch delivers it. web-push's own sender speaks only https, and the tests'
 * push receiver is plain http on 127.0.0.1; delivering with fetch keeps the crypto in the library
 * and the transport ours (with a timeout) for both.
 */
import webpush from 'web-push';
import type { PushSubscriptionJson } from './subscriptions.js';
import type { VapidKeys } from './vapid.js';

/** What the service worker receives (decrypted `PushEvent.data.json()`). */
export interface PushPayload {
  /** `ws/{ws}/customers/{cid}/conv/{id}`'s id */
  conversationId: string;
  /** shown as the notification title */
  agentName: string;
  /** the message text, cut to a notification's length */
  preview: string;
  /** opened (or focused) when the notification is clicked */
  url: string;
  /** same tag: a newer notification replaces the older one on the device */
  tag: string;
}

/** delivered: 2xx; gone: 404/410, the subscription is dead; failed: anything else (try next time). */
export type SendOutcome = { kind: 'delivered'; status: number } | { kind: 'gone'; status: number } | { kind: 'failed'; status: number | null; reason: string };

export interface PushSender {
  send(subscription: PushSubscriptionJson, payload: PushPayload): Promise<SendOutcome>;
}

export interface SenderOptions {
  vapid: VapidKeys;
  /** how long a push service may keep an undelivered message (seconds; default one day) */
  ttlSeconds?: number;
  /** per request (default 10 s) */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function createPushSender(options: SenderOptions): PushSender {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async send(subscription, payload) {
      const details = webpush.generateRequestDetails(
        { endpoint: subscription.endpoint, keys: subscription.keys },
        JSON.stringify(payload),
        {
          vapidDetails: options.vapid,
          TTL: options.ttlSeconds ?? 24 * 3600,
          contentEncoding: 'aes128gcm',
          // A reply from a person is worth waking the device for.
          urgency: 'high',
        },
      );
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(details.headers)) headers[k] = String(v);
      // fetch sets it from the body; a second one would be refused by strict servers.
      delete headers['Content-Length'];
      let response: Response;
      try {
        response = await doFetch(details.endpoint, {
          method: 'POST',
          headers,
          ...(details.body ? { body: new Uint8Array(details.body) } : {}),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
      } catch (err) {
        return { kind: 'failed', status: null, reason: (err as Error).message };
      }
      // The body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { kind: 'delivered', status: response.status };
      if (response.status === 404 || response.status === 410) return { kind: 'gone', status: response.status };
      return { kind: 'failed', status: response.status, reason: response.statusText };
    },
  };
}

/** The notification's text: one line, at most `max` characters, cut at a word where one is near. */
export function previewOf(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  // By code point, so an emoji is never cut in half.
  const chars = [...flat];
  if (chars.length <= max) return flat;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}
