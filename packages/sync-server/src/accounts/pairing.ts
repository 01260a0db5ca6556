/**
 * Device pairing: a signed-in customer device asks for a short one-time code (shown as a link and a
 * QR code); another device redeems it and becomes the same customer. Codes are stored hashed, live
 * ten minutes, and are burnt by the first redemption (an atomic UPDATE, so two racing redeemers
 * cannot both win).
 */
import { createHash, randomInt } from 'node:crypto';
import type { AccountsDb } from './db.js';
import { HttpError, badRequest, notFound } from '../http/errors.js';

export const PAIRING_TTL_MS = 10 * 60_000;
// Crockford's base32: no I, L, O, U, so a code read aloud or typed from a screen survives.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 10; // 50 bits: with redemption rate limits, guessing a live code is hopeless

export interface PairingCode {
  /** shown to the user, e.g. `7KQ2M-9XH4T` */
  code: string;
  expiresAt: number;
}

export interface PairedCustomer {
  ws: string;
  customerId: string;
  name?: string;
}

export interface Pairing {
  create(customer: PairedCustomer, now?: number): PairingCode;
  /** Burns the code; HttpError 404 unknown, 410 used or expired. */
  redeem(code: string, now?: number): PairedCustomer;
  /** Burns every unused code of the customer (its access was revoked); returns how many. */
  burnAll(customer: Omit<PairedCustomer, 'name'>, now?: number): number;
}

interface CodeRow {
  ws: string;
  customer_id: string;
  name: string | null;
  expires_at: number;
  used_at: number | null;
}

/** Upper-cases and drops separators, so `7kq2m 9xh4t` and `7KQ2M-9XH4T` are the same code. */
export function normaliseCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

const hashCode = (code: string): string => createHash('sha256').update(code).digest('hex');

export function createPairing(db: AccountsDb): Pairing {
  const insert = db.prepare('INSERT INTO pairing_codes (code_hash, ws, customer_id, name, expires_at) VALUES (?, ?, ?, ?, ?)');
  const find = db.prepare<[string], CodeRow>('SELECT ws, customer_id, name, expires_at, used_at FROM pairing_codes WHERE code_hash = ?');
  const burn = db.prepare('UPDATE pairing_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?');
  const purge = db.prepare('DELETE FROM pairing_codes WHERE expires_at < ?');
  const burnCustomer = db.prepare('UPDATE pairing_codes SET used_at = ? WHERE ws = ? AND customer_id = ? AND used_at IS NULL');

  return {
    create({ ws, customerId, name }, now = Date.now()) {
      // Old codes are useless after a day of grace (kept that long only to say "expired", not "unknown").
      purge.run(now - 24 * 3600_000);
      let raw = '';
      for (let i = 0; i < CODE_LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
      const expiresAt = now + PAIRING_TTL_MS;
      insert.run(hashCode(raw), ws, customerId, name ?? null, expiresAt);
      return { code: `${raw.slice(0, 5)}-${raw.slice(5)}`, expiresAt };
    },
    redeem(input, now = Date.now()) {
      const code = normaliseCode(input);
      if (code.length !== CODE_LENGTH || [...code].some((c) => !ALPHABET.includes(c))) throw badRequest('not a pairing code');
      const hash = hashCode(code);
      const row = find.get(hash);
      if (!row) throw notFound('unknown pairing code');
      if (burn.run(now, hash, now).changes !== 1) {
        throw new HttpError('gone', row.used_at !== null ? 'pairing code already used' : 'pairing code expired');
      }
      return { ws: row.ws, customerId: row.customer_id, ...(row.name !== null ? { name: row.name } : {}) };
    },
    burnAll: ({ ws, customerId }, now = Date.now()) => burnCustomer.run(now, ws, customerId).changes,
  };
}
