import { describe, expect, it } from 'vitest';
import { sign } from 'hono/jwt';
import { createTokens, tokenFrom } from './tokens.js';
import { HttpError } from '../http/errors.js';

const secret = 'x'.repeat(40);
const tokens = createTokens(secret);

async function rejection(p: Promise<unknown>): Promise<HttpError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

describe('tokens', () => {
  it('round-trips a customer token into a principal', async () => {
    const token = await tokens.sign({ ws: 'acme', role: 'customer', sub: 'c1', name: 'Ada' }, 60);
    const p = await tokens.verify(token);
    expect(p).toMatchObject({ ws: 'acme', role: 'customer', sub: 'c1', name: 'Ada', grants: [] });
    expect(p.expiresAt).toBeGreaterThan(Date.now());
    expect(p.expiresAt).toBeLessThanOrEqual(Date.now() + 61_000);
  });

  it('a token verified once is answered from memory until it expires, then refused as expired', async () => {
    let t = Date.now();
    const clocked = createTokens(secret, { now: () => t });
    const token = await clocked.sign({ ws: 'acme', role: 'agent', sub: 'a1' }, 60);
    const first = await clocked.verify(token);
    first.grants.push({ prefix: 'ws/', access: 'rw' });
    expect(await clocked.verify(token)).toMatchObject({ ws: 'acme', role: 'agent', sub: 'a1', grants: [] });
    t += 61_000;
    expect((await rejection(clocked.verify(token))).message).toBe('token expired');
  });

  it('remembers only tokens whose signature verified: a forged one is refused every time', async () => {
    const token = await tokens.sign({ ws: 'acme', role: 'agent', sub: 'a1' }, 60);
    const forged = token.slice(0, token.lastIndexOf('.') + 1) + 'A'.repeat(43);
    await rejection(tokens.verify(forged));
    await rejection(tokens.verify(forged));
    expect((await tokens.verify(token)).sub).toBe('a1');
  });

  it('during a rotation, tokens of a previous secret verify and new ones are signed with the current secret', async () => {
    const older = 'o'.repeat(40);
    const old = 'p'.repeat(40);
    const rotated = createTokens('n'.repeat(40), { previous: [old, older] });
    const fromOld = await createTokens(old).sign({ ws: 'acme', role: 'customer', sub: 'c1' }, 60);
    const fromOlder = await createTokens(older).sign({ ws: 'acme', role: 'customer', sub: 'c2' }, 60);
    expect((await rotated.verify(fromOld)).sub).toBe('c1');
    expect((await rotated.verify(fromOlder)).sub).toBe('c2');
    const fresh = await rotated.sign({ ws: 'acme', role: 'customer', sub: 'c1' }, 60);
    expect((await createTokens('n'.repeat(40)).verify(fresh)).sub).toBe('c1');
    expect((await rejection(createTokens(old).verify(fresh))).message).toBe('invalid token');
    // A secret that is not listed (any more) verifies nothing; an expired token stays expired.
    expect((await rejection(rotated.verify(await tokens.sign({ ws: 'acme', role: 'customer', sub: 'c3' }, 60)))).message).toBe('invalid token');
    const expired = await sign({ ws: 'acme', role: 'customer', sub: 'c1', exp: Math.floor(Date.now() / 1000) - 10 }, old, 'HS256');
    expect((await rejection(rotated.verify(expired))).message).toBe('token expired');
    expect(() => createTokens('n'.repeat(40), { previous: ['short'] })).toThrow(/at least 32/);
  });

  it('keeps grants for bots only', async () => {
    const grants = [{ prefix: 'ws/acme/customers/', access: 'rw' as const }];
    expect((await tokens.verify(await tokens.sign({ ws: 'acme', role: 'bot', sub: 'b1', grants }, 60))).grants).toEqual(grants);
    expect((await tokens.verify(await tokens.sign({ ws: 'acme', role: 'agent', sub: 'a1', grants }, 60))).grants).toEqual([]);
  });

  it.each([
    ['signed with another secret', () => createTokens('y'.repeat(40)).sign({ ws: 'acme', role: 'admin', sub: 'a' }, 60), 'invalid token'],
    ['expired', () => sign({ ws: 'acme', role: 'agent', sub: 'a', exp: Math.floor(Date.now() / 1000) - 5 }, secret, 'HS256'), 'token expired'],
    ['without expiry', () => sign({ ws: 'acme', role: 'agent', sub: 'a' }, secret, 'HS256'), 'token has no expiry'],
    ['with an unknown role', () => sign({ ws: 'acme', role: 'root', sub: 'a', exp: 2e9 }, secret, 'HS256'), 'token has no valid role'],
    ['with a subject that is not a path segment', () => sign({ ws: 'acme', role: 'customer', sub: '../c2', exp: 2e9 }, secret, 'HS256'), 'token has no valid subject'],
    ['not a JWT at all', async () => 'garbage', 'invalid token'],
  ])('refuses a token %s with 401', async (_label, make, message) => {
    const err = await rejection(tokens.verify(await make()));
    expect(err.status).toBe(401);
    expect(err.message).toBe(message);
  });

  it('refuses to sign ids that could escape a document path', async () => {
    await expect(tokens.sign({ ws: 'acme', role: 'customer', sub: 'a/b' }, 60)).rejects.toThrow(/invalid subject/);
  });

  it.each([
    [['Bearer abc', undefined], 'abc'],
    [[undefined, 'q'], 'q'],
    [['Bearer abc', 'q'], 'abc'],
    [['Basic zzz', undefined], null],
    [[undefined, ''], null],
  ] as const)('tokenFrom(%j) = %j', ([auth, query], expected) => {
    expect(tokenFrom(auth, query)).toBe(expected);
  });
});
