import type { Role } from '@parley/core';

/** Read or read-write access to every document whose name starts with `prefix`. */
export interface Grant {
  prefix: string;
  access: 'r' | 'rw';
}

/** Who is on the other end of a socket or request, as proven by a verified token. */
export interface Principal {
  ws: string;
  role: Role;
  /** customer id, agent id or bot id */
  sub: string;
  /** display name, when the token carries one */
  name?: string;
  /** ms since epoch */
  expiresAt: number;
  /** ms since epoch, when the token says when it was signed (`iat`); revocation compares against it */
  issuedAt?: number;
  /** explicit grants (bots); customers, agents and admins get theirs from their role */
  grants: Grant[];
}

/** Stable key for client-id ownership ([P6]): one principal per role and subject in a workspace. */
export const principalKey = (p: Pick<Principal, 'role' | 'sub'>): string => `${p.role}:${p.sub}`;
