/** Relay close and error codes (PROTOCOL.md "Codes") as the typed errors the client emits. */
import { ParleyError, type ParleyErrorCode } from '../errors.js';
import { Code } from '../protocol.js';

const byWireCode: Record<number, ParleyErrorCode> = {
  [Code.badFrame]: 'bad_frame',
  [Code.unauthorised]: 'unauthorised',
  [Code.forbidden]: 'forbidden',
  [Code.notFound]: 'not_found',
  [Code.conflict]: 'conflict',
  [Code.tooLarge]: 'too_large',
  [Code.rateLimited]: 'rate_limited',
  [Code.internal]: 'internal',
  [Code.storageUnavailable]: 'storage',
};

export function wireError(code: number, reason: string, doc?: string): ParleyError {
  const where = doc ? ` (${doc})` : '';
  return new ParleyError(byWireCode[code] ?? 'offline', `relay: ${reason || `code ${code}`}${where}`);
}

/** A document the relay closed with one of these is not asked for again on this client. */
export function isFinalForDoc(code: number): boolean {
  return code === Code.forbidden || code === Code.notFound || code === Code.tooLarge || code === Code.badFrame;
}
