/** Redis could not be reached when the fan-out opened; the relay should not start half-connected. */
export class FanOutUnavailableError extends Error {
  override readonly name = 'FanOutUnavailableError';
  readonly code = 'FANOUT_UNAVAILABLE';
}
