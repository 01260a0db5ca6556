/**
 * Typed access to a customer's `ws/{ws}/customers/{cid}/profile`: who they are, which
 * conversations they have, and which devices are paired. Written by the customer's devices
 * (possibly two at once), so lists are Y.Maps keyed by id: concurrent additions both survive.
 */
import type * as Y from 'yjs';
import { ParleyError } from '../errors.js';
import { checkAvatar, isAvatarUrl } from '../conversation/avatar.js';

export const ProfileRoot = { profile: 'profile', conversations: 'conversations', devices: 'devices' } as const;

export interface ConversationEntry {
  id: string;
  createdAt: number;
}

export interface PairedDevice {
  id: string;
  name: string;
  pairedAt: number;
}

export interface CustomerProfile {
  name: string;
  email: string;
  locale: string;
  /** An https picture URL the host site gave (see avatar.ts); absent when none or not a safe URL. */
  avatar?: string;
  /** Newest first. */
  conversations: ConversationEntry[];
  devices: PairedDevice[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function readProfile(doc: Y.Doc): CustomerProfile {
  const profile = doc.getMap<unknown>(ProfileRoot.profile);
  const str = (k: string) => (typeof profile.get(k) === 'string' ? (profile.get(k) as string) : '');
  const conversations: ConversationEntry[] = [];
  for (const [id, v] of doc.getMap<unknown>(ProfileRoot.conversations).entries()) {
    conversations.push({ id, createdAt: num((v as { createdAt?: unknown } | null)?.createdAt) });
  }
  conversations.sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));
  const devices: PairedDevice[] = [];
  for (const [id, v] of doc.getMap<unknown>(ProfileRoot.devices).entries()) {
    if (v === null || typeof v !== 'object') continue;
    const d = v as { name?: unknown; pairedAt?: unknown };
    devices.push({ id, name: typeof d.name === 'string' ? d.name : '', pairedAt: num(d.pairedAt) });
  }
  devices.sort((a, b) => a.pairedAt - b.pairedAt);
  const avatar = profile.get('avatar');
  return { name: str('name'), email: str('email'), locale: str('locale'), ...(isAvatarUrl(avatar) ? { avatar } : {}), conversations, devices };
}

/** `avatar: ''` removes the picture. */
export function updateProfile(doc: Y.Doc, patch: { name?: string; email?: string; locale?: string; avatar?: string }): void {
  if (patch.avatar !== undefined && patch.avatar !== '') checkAvatar(patch.avatar);
  if (patch.email !== undefined && patch.email !== '' && !EMAIL.test(patch.email)) throw new ParleyError('invalid_argument', 'not an e-mail address');
  if (patch.name !== undefined && patch.name.length > 200) throw new ParleyError('too_large', 'name over 200 characters');
  const profile = doc.getMap<unknown>(ProfileRoot.profile);
  doc.transact(() => {
    for (const key of ['name', 'email', 'locale'] as const) if (patch[key] !== undefined) profile.set(key, patch[key]);
    if (patch.avatar === '') profile.delete('avatar');
    else if (patch.avatar !== undefined) profile.set('avatar', patch.avatar);
  });
}

/** Records a conversation of this customer; adding one twice keeps the first entry. */
export function addConversation(doc: Y.Doc, id: string, createdAt: number = Date.now()): void {
  const map = doc.getMap<unknown>(ProfileRoot.conversations);
  if (!map.has(id)) map.set(id, { createdAt });
}

export function addDevice(doc: Y.Doc, device: { id: string; name: string; pairedAt?: number }): void {
  if (!device.id) throw new ParleyError('invalid_argument', 'device needs an id');
  doc.getMap<unknown>(ProfileRoot.devices).set(device.id, { name: device.name, pairedAt: device.pairedAt ?? Date.now() });
}

export function removeDevice(doc: Y.Doc, id: string): void {
  const map = doc.getMap<unknown>(ProfileRoot.devices);
  if (!map.has(id)) throw new ParleyError('not_found', `no device ${id}`);
  map.delete(id);
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
