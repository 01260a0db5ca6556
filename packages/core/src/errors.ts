/**
 * Typed errors for @parley/core. Callers branch on `code`, never on message text; `status` is the
 * HTTP-like status a shell (relay route, UI toast) may show, so mapping lives in one place.
 */

export type ParleyErrorCode =
  | 'not_found'
  | 'deleted'
  | 'forbidden'
  | 'too_large'
  | 'invalid_transition'
  | 'invalid_argument'
  | 'already_exists'
  | 'storage'
  | 'quota_exceeded'
  | 'offline'
  // the sync client's names for relay close/error codes (PROTOCOL.md "Codes")
  | 'unauthorised'
  | 'bad_frame'
  | 'conflict'
  | 'rate_limited'
  | 'internal';

const statusByCode: Record<ParleyErrorCode, number> = {
  not_found: 404,
  deleted: 410,
  forbidden: 403,
  too_large: 413,
  invalid_transition: 409,
  invalid_argument: 400,
  already_exists: 409,
  storage: 503,
  quota_exceeded: 507,
  offline: 503,
  unauthorised: 401,
  bad_frame: 400,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
};

export class ParleyError extends Error {
  override readonly name = 'ParleyError';
  readonly status: number;
  constructor(
    readonly code: ParleyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = statusByCode[code];
  }
}

/** True when `err` is a ParleyError, optionally of the given code (narrows for `catch` blocks). */
export function isParleyError(err: unknown, code?: ParleyErrorCode): err is ParleyError {
  return err instanceof ParleyError && (code === undefined || err.code === code);
}
