/** Why the widget could not do something; `status` is the relay's HTTP status when there was one. */
export class WidgetError extends Error {
  override readonly name = 'WidgetError';
  constructor(
    readonly code: 'network' | 'unauthorised' | 'pairing_invalid' | 'relay' | 'bad_token',
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
