import { Code } from '@parley/core/protocol';

/**
 * A refusal with a wire code ([P10], Codes in PROTOCOL.md) and a metrics reason. Thrown inside the
 * relay's handlers and turned into an error frame or a close in one place (connection.ts).
 * `fatal` says the socket cannot carry on (it is closed rather than sent an error frame).
 */
export class RelayError extends Error {
  override readonly name = 'RelayError';
  constructor(
    readonly code: number,
    readonly reason: string,
    /** short, stable label for the rejections metric */
    readonly metric: string,
    readonly fatal = false,
  ) {
    super(reason);
  }
}

export const badUpdate = (detail: string): RelayError => new RelayError(Code.badFrame, `bad update: ${detail}`, 'bad_update', true);
export const forbidden = (reason: string, metric = 'forbidden'): RelayError => new RelayError(Code.forbidden, reason, metric);
