/**
 * Tokens are signed, not stored, and live for hours (staff) or weeks (customers): longer than an
 * admin wants access to outlast a decision. So every verification (HTTP, socket upgrade, token
 * refresh on /mux) also asks the relay's records whether the access was withdrawn since:
 * - an agent's or admin's account disabled, or moved to another workspace;
 * - a principal revoked (`POST /v1/customers/:cid/revoke`): its tokens signed up to that moment are
 *   void; a token without `iat` cannot prove it is newer and is refused too.
 * A staff token whose subject has no account stays valid: whoever holds the secret may sign tokens
 * (a site backend, `parley token`, a benchmark), exactly as for bots.
 */
import type { Tokens } from '../auth/tokens.js';
import { unauthorised } from '../http/errors.js';
import type { Accounts } from './accounts.js';

export function refusingWithdrawnAccess(tokens: Tokens, accounts: Pick<Accounts, 'standing' | 'tokensRevokedUpTo'>): Tokens {
  return {
    sign: (request, ttlSeconds) => tokens.sign(request, ttlSeconds),
    async verify(token) {
      const principal = await tokens.verify(token);
      if (principal.role === 'agent' || principal.role === 'admin') {
        const account = accounts.standing(principal.sub);
        if (account && (account.disabled || account.ws !== principal.ws)) throw unauthorised('account is disabled');
      }
      const revokedUpTo = accounts.tokensRevokedUpTo(principal.ws, principal.role, principal.sub);
      if (revokedUpTo !== null && (principal.issuedAt === undefined || principal.issuedAt <= revokedUpTo)) throw unauthorised('access revoked');
      return principal;
    },
  };
}
