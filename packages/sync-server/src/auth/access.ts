/**
 * Who may read or write which document. Document names carry the workspace and the customer id,
 * so authorisation is a pure function of the principal and the name ([P4] in core's PROTOCOL.md).
 * The relay calls it for every document a socket opens; the HTTP API calls it for blobs.
 */
import { parseDocName } from '@parley/core';
import type { Grant, Principal } from './principal.js';

export type Access = 'r' | 'rw';

export function authorize(principal: Principal, doc: string): Access | null {
  const parsed = parseDocName(doc);
  // Other workspaces are invisible whatever the role or grant says.
  if (!parsed || parsed.ws !== principal.ws) return null;
  switch (principal.role) {
    case 'customer':
      switch (parsed.kind) {
        case 'conversation':
        case 'profile':
          return parsed.customerId === principal.sub ? 'rw' : null;
        case 'settings':
        case 'announcements':
          return 'r';
        default:
          return null;
      }
    case 'agent':
      switch (parsed.kind) {
        case 'conversation':
        case 'internal':
          return 'rw';
        // DESIGN.md: a profile belongs to its customer; agents read it.
        case 'profile':
        case 'settings':
        case 'announcements':
        case 'directory':
          return 'r';
      }
      return null;
    case 'admin':
      // The relay alone writes the directory.
      return parsed.kind === 'directory' ? 'r' : 'rw';
    case 'bot': {
      const granted = grantFor(principal.grants, doc);
      return granted && parsed.kind === 'directory' ? 'r' : granted;
    }
  }
}

/** The widest access any grant gives; a prefix matches whole path segments only. */
function grantFor(grants: readonly Grant[], doc: string): Access | null {
  let best: Access | null = null;
  for (const g of grants) {
    const base = g.prefix.replace(/\/+$/, '');
    if (doc === base || doc.startsWith(`${base}/`)) {
      if (g.access === 'rw') return 'rw';
      best = 'r';
    }
  }
  return best;
}
