/**
 * [P6] Who may write what, decided from an update's summary and the document's bookkeeping.
 * Re-uploads of what the relay already has are always fine (a client that reconnects, or that
 * re-sends its whole state to a relay that lost its memory, must not be refused). So are staff's
 * uploads of items under another principal's confirmed client id (see checkWrite).
 */
import * as decoding from 'lib0/decoding';
import { AGENT_ONLY_ROOTS } from '@parley/core';
import { Code } from '@parley/core/protocol';
import { principalKey } from '../auth/principal.js';
import type { Principal } from '../auth/principal.js';
import { RelayError, forbidden } from './errors.js';
import type { StructSummary, UpdateSummary } from './inspect.js';
import type { ThinDoc } from './thin-doc.js';

/**
 * Staff may bring back items under another principal's confirmed client id (after a relay crash):
 * it gives them no power they lack, since they write any content already. The relay also forwards
 * updates before their commit only to those who can (documents.ts).
 */
export const restoresOthersItems = (principal: Pick<Principal, 'role'>): boolean => principal.role === 'agent' || principal.role === 'admin';

/**
 * Throws a RelayError when `principal` may not write `summary` into `doc`. Returns the client ids
 * this update writes under that the principal has not been confirmed to own yet (to reserve now
 * and pass to `store.append`).
 */
export function checkWrite(doc: ThinDoc, summary: UpdateSummary, principal: Principal, confirmed: ReadonlySet<number>): Map<number, string> {
  const key = principalKey(principal);
  const customer = principal.role === 'customer';
  const restores = restoresOthersItems(principal);
  const claims = new Map<number, string>();
  const agentOnly = customer ? doc.agentOnlyStructs(summary) : null;
  const authors = customer ? doc.authorStructs(summary) : null;
  summary.structs.forEach((s, i) => {
    if (doc.have.covers(s.client, s.clock, s.len)) return;
    const owner = doc.owners.get(s.client);
    if (owner !== undefined && owner !== key) {
      // Someone else's item the relay lacks: after a relay crash, what it forwarded before its
      // commit (documents.ts) comes back from the followers that got it.
      if (restores && confirmed.has(s.client)) return;
      // 4409 rather than 4403: not a forbidden edit, a clash of ids (or an item the relay lost that
      // only its owner may bring back); Yjs takes a fresh id once it sees the owner's items.
      throw new RelayError(Code.conflict, `client id ${s.client} belongs to another principal`, 'client_id_conflict');
    }
    if (agentOnly?.[i]) throw forbidden(`customers cannot write ${AGENT_ONLY_ROOTS.join(', ')}`, 'agent_only_root');
    if (customer) refuseForeignEdits(doc, s, key);
    if (authors?.[i]) refuseForgedAuthor(summary.bytes, s, principal.sub);
    if (!confirmed.has(s.client)) claims.set(s.client, key);
  });
  if (customer) {
    // Only message items are guarded against foreign deletes. Elsewhere every replica deletes the
    // losing write of a Y.Map key race by itself ("implied" deletions, e.g. two agents setting
    // `state.status` at once), and a customer's next step 2 carries those deletions: refusing them
    // would refuse the customer's own outbox with them. Array elements are never deleted implicitly.
    for (const [client, clock, len] of summary.deletes) {
      const owner = doc.owners.get(client);
      if (owner === undefined || owner === key) continue;
      for (const [start, end] of doc.deleted.gaps(client, clock, len)) {
        if (doc.messageItems.overlaps(client, start, end - start)) throw forbidden('customers delete only their own messages', 'foreign_delete');
      }
    }
  }
  return claims;
}

/**
 * Messages carry their author as content (`{ role, id, name }`), which the apps show: a customer
 * writing `role: 'agent'` into its own message would speak as support. So a customer's author
 * values must name that customer. A value that is not one plain value (a nested type, deleted
 * content) names nobody, and readers show no author for it.
 */
function refuseForgedAuthor(bytes: Uint8Array, s: StructSummary, customerId: string): void {
  if (s.valueStart < 0) return;
  // The scan proved these bytes are one well-formed value, bounded in depth.
  const value = decoding.readAny(decoding.createDecoder(bytes.subarray(s.valueStart, s.valueEnd))) as unknown;
  const author = typeof value === 'object' && value !== null ? (value as { role?: unknown; id?: unknown }) : null;
  if (author?.role !== 'customer' || author.id !== customerId) throw forbidden('customers write only under their own name', 'forged_author');
}

/**
 * A customer changes only what it created. Editing another principal's message needs no delete
 * set: a new key names that message's map as its parent, and overwriting a key positions the new
 * value against the old one (its origin), which every replica then deletes by itself. So both are
 * refused here, by who owns the parent or the overwritten value. A new element of `messages` may
 * still sit next to anyone's message: only there is a foreign neighbour a sibling, not a target.
 */
function refuseForeignEdits(doc: ThinDoc, s: StructSummary, key: string): void {
  const foreign = (client: number): boolean => {
    const owner = doc.owners.get(client);
    return owner !== undefined && owner !== key;
  };
  // The ids in the reason let whoever sees the refusal (a developer, a failed test) find the item.
  const refuse = (how: string, ref: { client: number; clock: number }): never => {
    throw forbidden(`customers change only their own messages (item ${s.client}:${s.clock} ${how} ${ref.client}:${ref.clock}, ${doc.have.overlaps(ref.client, ref.clock, 1) ? 'held' : 'not held'})`, 'foreign_edit');
  };
  if (s.parentItem !== null && foreign(s.parentItem.client)) refuse('inside', s.parentItem);
  for (const ref of s.refs) {
    if (foreign(ref.client) && (s.mapValue || !doc.messageItems.overlaps(ref.client, ref.clock, 1))) refuse(s.mapValue ? 'overwriting' : 'next to', ref);
  }
}
