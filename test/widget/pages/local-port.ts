/**
 * A DocPort with no network: documents live in this page only. Used to render the widget's
 * screens in Chromium before (and independently of) a relay; the end-to-end tests use the real one.
 */
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import type { DocPort } from '../../../packages/widget/src/store/core-store.js';
import { createValue } from '../../../packages/widget/src/store/chat-store.js';
import type { ConnectionState } from '../../../packages/widget/src/model.js';

export function createLocalPort(): DocPort & { docs: Map<string, Y.Doc>; setConnection(s: ConnectionState): void } {
  const docs = new Map<string, Y.Doc>();
  const awareness = new Map<string, Awareness>();
  const connection = createValue<ConnectionState>('online');
  return {
    docs,
    connection,
    setConnection: (s) => connection.set(s),
    open(name) {
      let doc = docs.get(name);
      if (!doc) docs.set(name, (doc = new Y.Doc()));
      let aw = awareness.get(name);
      if (!aw) awareness.set(name, (aw = new Awareness(doc)));
      return { doc, awareness: aw, isAcked: () => connection.get() === 'online', onAck: () => () => undefined, release: () => undefined };
    },
    destroy: () => undefined,
  };
}
