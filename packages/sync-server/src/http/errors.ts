/**
 * Typed errors of the relay's HTTP surface. Anything below the HTTP layer (tokens, accounts,
 * pairing, blobs) throws one of these; `toResponse` in app.ts is the one place they become
 * responses, so every refusal has the same JSON shape: `{"error": code, "message": text}`.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorised'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'too_large'
  | 'unsupported_type'
  | 'rate_limited'
  | 'unavailable';

const statusOf: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 429 | 503> = {
  bad_request: 400,
  unauthorised: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 429 | 503;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** extra response headers, e.g. Retry-After for 429 */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = statusOf[code];
  }
}

export const badRequest = (message: string): HttpError => new HttpError('bad_request', message);
export const unauthorised = (message: string): HttpError => new HttpError('unauthorised', message);
export const forbidden = (message: string): HttpError => new HttpError('forbidden', message);
export const notFound = (message: string): HttpError => new HttpError('not_found', message);
