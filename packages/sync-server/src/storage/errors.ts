import { StorageUnavailableError } from './types.js';

/**
 * The store's file or schema cannot be trusted (not a database, truncated, failed integrity check,
 * written by a newer Parley). Opening stops here: serving from it could silently lose history.
 */
export class StorageCorruptError extends Error {
  override readonly name = 'StorageCorruptError';
  readonly code = 'STORAGE_CORRUPT';
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}. Refusing to open it; restore it from a backup or move it aside to start empty.`);
  }
}

/** Raised by a store used after `close()`: a programming error in the caller, not a storage fault. */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
  readonly code = 'STORE_CLOSED';
}

export function unavailable(message: string, cause: unknown): StorageUnavailableError {
  return new StorageUnavailableError(`${message}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}
