import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAccountsDb, type AccountsDb } from './db.js';
import { createPairing, normaliseCode, PAIRING_TTL_MS, type Pairing } from './pairing.js';
import { HttpError } from '../http/errors.js';

let db: AccountsDb;
let pairing: Pairing;
beforeEach(() => {
  db = openAccountsDb(':memory:');
  pairing = createPairing(db);
});
afterEach(() => db.close());

const failure = (fn: () => unknown): HttpError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return err as HttpError;
  }
  throw new Error('expected a failure');
};

describe('pairing codes', () => {
  it('redeem once into the same customer', () => {
    const { code } = pairing.create({ ws: 'acme', customerId: 'c1', name: 'Ada' });
    expect(pairing.redeem(code)).toEqual({ ws: 'acme', customerId: 'c1', name: 'Ada' });
    const again = failure(() => pairing.redeem(code));
    expect([again.status, again.message]).toEqual([410, 'pairing code already used']);
  });

  it('expire after ten minutes', () => {
    const t0 = 1_700_000_000_000;
    const { code, expiresAt } = pairing.create({ ws: 'acme', customerId: 'c1' }, t0);
    expect(expiresAt).toBe(t0 + PAIRING_TTL_MS);
    const late = failure(() => pairing.redeem(code, t0 + PAIRING_TTL_MS + 1));
    expect([late.status, late.message]).toEqual([410, 'pairing code expired']);
  });

  it('is still valid one second before expiry', () => {
    const t0 = 1_700_000_000_000;
    const { code } = pairing.create({ ws: 'acme', customerId: 'c1' }, t0);
    expect(pairing.redeem(code, t0 + PAIRING_TTL_MS - 1000).customerId).toBe('c1');
  });

  it('are stored hashed, never in clear', () => {
    const { code } = pairing.create({ ws: 'acme', customerId: 'c1' });
    const dump = JSON.stringify(db.prepare('SELECT * FROM pairing_codes').all());
    expect(dump).not.toContain(code.replace('-', ''));
  });

  it.each([
    ['7kq2m 9xh4t', '7KQ2M9XH4T'],
    ['7KQ2M-9XH4T', '7KQ2M9XH4T'],
    ['OIL', '011'],
  ])('read %j as %j', (input, expected) => {
    expect(normaliseCode(input)).toBe(expected);
  });
});
