/**
 * Avatars are public image URLs, not blob hashes: a blob on the relay is readable only by those who
 * may read a conversation that references it, so an agent's avatar stored as a blob would 404 for
 * every customer outside the conversation it was uploaded with. A URL also costs the document only
 * its length, written again with every message (authors are copied into each message).
 *
 * Only https (plus http on loopback, for development) is accepted: no `javascript:`, no `data:`
 * (kilobytes repeated in every message), nothing a reader's browser would run or embed.
 */
import { ParleyError } from '../errors.js';

export const MAX_AVATAR_URL_LENGTH = 2048;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isAvatarUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_AVATAR_URL_LENGTH) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // Credentials in an image URL would be shown to every reader of the conversation.
  if (url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

/** The avatar to store, or `invalid_argument` with the reason a UI can show. */
export function checkAvatar(value: unknown): string {
  if (!isAvatarUrl(value)) {
    throw new ParleyError('invalid_argument', `an avatar is an https URL of at most ${MAX_AVATAR_URL_LENGTH} characters`);
  }
  return value;
}
