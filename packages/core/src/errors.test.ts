import { describe, expect, it } from 'vitest';
import { isParleyError, ParleyError, type ParleyErrorCode } from './errors.js';

describe('ParleyError', () => {
  it.each<[ParleyErrorCode, number]>([
    ['not_found', 404],
    ['deleted', 410],
    ['forbidden', 403],
    ['too_large', 413],
    ['invalid_transition', 409],
    ['invalid_argument', 400],
    ['storage', 503],
    ['quota_exceeded', 507],
    ['offline', 503],
    ['bad_frame', 400],
    ['unauthorised', 401],
    ['conflict', 409],
    ['rate_limited', 429],
    ['internal', 500],
  ])('%s carries status %i', (code, status) => {
    const err = new ParleyError(code, 'boom');
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'ParleyError', code, status, message: 'boom' });
  });

  it('narrows by code and keeps the cause', () => {
    const cause = new Error('disk');
    const err: unknown = new ParleyError('storage', 'cannot write', { cause });
    expect(isParleyError(err)).toBe(true);
    expect(isParleyError(err, 'storage')).toBe(true);
    expect(isParleyError(err, 'offline')).toBe(false);
    expect(isParleyError(new Error('x'))).toBe(false);
    expect((err as ParleyError).cause).toBe(cause);
  });
});
