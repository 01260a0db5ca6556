/**
 * The handle `open()` returns, built the same way by the socket client and by a tab's view of the
 * leader's client, so both refuse the same names and expose the same fields and release rule.
 */
import type { ObservableV2 } from 'lib0/observable';
import { ParleyError } from '../errors.js';
import { isValidDocName } from '../protocol.js';
import type { DocEvents, DocHandle } from './client.js';

/** What a client keeps per open document, as far as a handle shows it (read live: closedBy changes). */
export type HandleState = Pick<DocHandle, 'doc' | 'awareness' | 'whenLoaded' | 'whenSynced' | 'acks' | 'closedBy'> & {
  readonly events: ObservableV2<DocEvents>;
};

/** Throws what `open(name)` throws on a closed client or a name the relay would refuse. */
export function assertOpenable(closed: boolean, name: string): void {
  if (closed) throw new ParleyError('invalid_argument', 'client is closed');
  if (!isValidDocName(name)) throw new ParleyError('invalid_argument', `not a document name: ${name}`);
}

/** A handle on `state`; `release` runs at most once, however often the handle is released. */
export function createDocHandle(name: string, state: HandleState, release: () => Promise<void>): DocHandle {
  let released: Promise<void> | null = null;
  return {
    name,
    doc: state.doc,
    awareness: state.awareness,
    whenLoaded: state.whenLoaded,
    whenSynced: state.whenSynced,
    acks: state.acks,
    get closedBy() {
      return state.closedBy;
    },
    on(event, listener) {
      state.events.on(event, listener);
      return () => state.events.off(event, listener);
    },
    release() {
      released ??= release();
      return released;
    },
  };
}
