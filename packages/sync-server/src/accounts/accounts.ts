/**
 * Workspaces and the people who answer in them (agents and admins). Customers have no account:
 * they are anonymous (a fresh id per session) or identified by the host site's signed token.
 */
import { randomBytes } from 'node:crypto';
import type { AccountsDb } from './db.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { HttpError, badRequest, forbidden, notFound, unauthorised } from '../http/errors.js';
import { ID_PATTERN } from '../auth/tokens.js';
import { MAX_AVATAR_URL_LENGTH, isAvatarUrl } from '@parley/core';

export type StaffRole = 'agent' | 'admin';

export interface Account {
  id: string;
  ws: string;
  email: string;
  name: string;
  role: StaffRole;
  createdAt: number;
  /** team names (e.g. tier1, sales), sorted; what the app's Team view and routing use */
  teams: string[];
  /** disabled accounts cannot sign in or refresh their token */
  disabled: boolean;
  /**
   * An https picture URL (core's avatar.ts rules); the agent app copies it into each message's
   * author, so it sits here beside the name those messages also copy. Absent when none is set.
   */
  avatar?: string;
}

export interface NewAccount {
  ws: string;
  email: string;
  name: string;
  role: StaffRole;
  /** generated (and returned) when absent */
  password?: string;
  teams?: readonly string[];
}

export interface Accounts {
  createWorkspace(ws: string): void;
  hasWorkspace(ws: string): boolean;
  listWorkspaces(): string[];
  /** Creates the account (and its workspace when missing); returns it with the password used. */
  add(account: NewAccount): Promise<{ account: Account; password: string }>;
  get(id: string): Account | null;
  /**
   * Just what a token check needs, in one narrow read: every socket upgrade and HTTP request runs it,
   * and `get` also reads the credentials' columns and the account's teams.
   */
  standing(id: string): { ws: string; disabled: boolean } | null;
  /** The account for these credentials; HttpError 401 (same message either way) when they do not match. */
  signIn(email: string, password: string): Promise<Account>;
  count(): number;
  /** Every account of the workspace (disabled ones included), by name. */
  list(ws: string): Account[];
  /** Replaces the account's teams; 404 when there is no such account, 400 for a bad team name. */
  setTeams(id: string, teams: readonly string[]): Account;
  /** Sets (or, with null, removes) the account's avatar; 404 for no such account, 400 for an unsafe URL. */
  setAvatar(id: string, avatar: string | null): Account;
  /** Disables (or re-enables) the account; 404 when there is no such account. */
  setDisabled(id: string, disabled: boolean): Account;
  /** Voids every token of this principal signed at or before `at` (ms); tokens signed later work. */
  revokeTokens(ws: string, role: string, sub: string, at: number): void;
  /** ms up to which this principal's tokens are void, or null when it was never revoked. */
  tokensRevokedUpTo(ws: string, role: string, sub: string): number | null;
}

interface AccountRow {
  id: string;
  ws: string;
  email: string;
  name: string;
  role: StaffRole;
  salt: Buffer;
  hash: Buffer;
  created_at: number;
  disabled_at: number | null;
  avatar: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_TEAMS = 32;

/** Team names are ids (they appear in routing rules and URLs): 1-64 letters, digits, - or _. */
export function checkTeams(teams: unknown): string[] {
  if (!Array.isArray(teams) || teams.length > MAX_TEAMS) throw badRequest(`teams is a list of at most ${MAX_TEAMS} names`);
  for (const t of teams) if (typeof t !== 'string' || !ID_PATTERN.test(t)) throw badRequest(`team names are 1-64 letters, digits, - or _ (got ${JSON.stringify(t)})`);
  return [...new Set(teams as string[])].sort();
}

export function createAccounts(db: AccountsDb): Accounts {
  const insertWs = db.prepare('INSERT OR IGNORE INTO workspaces (id, created_at) VALUES (?, ?)');
  const byEmail = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE email = ?');
  const byId = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?');
  const standingOf = db.prepare<[string], { ws: string; disabled_at: number | null }>('SELECT ws, disabled_at FROM accounts WHERE id = ?');
  // Compared against when the email is unknown, so both failures cost one scrypt and look alike.
  let decoy: Promise<{ salt: Buffer; hash: Buffer }> | undefined;
  const revokedUpTo = db.prepare<[string, string, string], { issued_up_to: number }>('SELECT issued_up_to FROM revoked_tokens WHERE ws = ? AND role = ? AND sub = ?');
  const teamsOf = db.prepare<[string], { team: string }>('SELECT team FROM account_teams WHERE account_id = ? ORDER BY team');
  const toAccount = (r: AccountRow): Account => ({
    id: r.id, ws: r.ws, email: r.email, name: r.name, role: r.role, createdAt: r.created_at,
    teams: teamsOf.all(r.id).map((t) => t.team),
    disabled: r.disabled_at !== null,
    // A value written before the rules tightened is not shown rather than refused at read.
    ...(isAvatarUrl(r.avatar) ? { avatar: r.avatar } : {}),
  });
  const writeTeams = db.transaction((id: string, teams: string[]) => {
    db.prepare('DELETE FROM account_teams WHERE account_id = ?').run(id);
    const insert = db.prepare('INSERT INTO account_teams (account_id, team) VALUES (?, ?)');
    for (const t of teams) insert.run(id, t);
  });
  const existing = (id: string): AccountRow => {
    const row = byId.get(id);
    if (!row) throw notFound(`no account ${id}`);
    return row;
  };

  const createWorkspace = (ws: string): void => {
    if (!ID_PATTERN.test(ws)) throw badRequest('workspace ids are 1-64 letters, digits, - or _');
    insertWs.run(ws, Date.now());
  };

  return {
    createWorkspace,
    hasWorkspace: (ws) => db.prepare('SELECT 1 FROM workspaces WHERE id = ?').get(ws) !== undefined,
    listWorkspaces: () => db.prepare<[], { id: string }>('SELECT id FROM workspaces ORDER BY id').all().map((r) => r.id),
    async add({ ws, email, name, role, password, teams }) {
      if (!EMAIL.test(email)) throw badRequest('not an email address');
      if (role !== 'agent' && role !== 'admin') throw badRequest('role must be agent or admin');
      if (name.trim() === '') throw badRequest('name is required');
      const pw = password ?? generatePassword();
      if (pw.length < MIN_PASSWORD_LENGTH) throw badRequest(`passwords have at least ${MIN_PASSWORD_LENGTH} characters`);
      const teamList = checkTeams(teams ?? []);
      createWorkspace(ws);
      if (byEmail.get(email)) throw new HttpError('conflict', `an account with email ${email} exists`);
      const { salt, hash } = await hashPassword(pw);
      const id = `u${randomBytes(9).toString('base64url')}`;
      const createdAt = Date.now();
      db.transaction(() => {
        db.prepare('INSERT INTO accounts (id, ws, email, name, role, salt, hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(id, ws, email, name, role, salt, hash, createdAt);
        writeTeams(id, teamList);
      })();
      return { account: { id, ws, email, name, role, createdAt, teams: teamList, disabled: false }, password: pw };
    },
    get: (id) => {
      const row = byId.get(id);
      return row ? toAccount(row) : null;
    },
    standing: (id) => {
      const row = standingOf.get(id);
      return row ? { ws: row.ws, disabled: row.disabled_at !== null } : null;
    },
    async signIn(email, password) {
      const row = byEmail.get(email);
      if (!row) {
        decoy ??= hashPassword(generatePassword());
        const d = await decoy;
        await verifyPassword(password, d.salt, d.hash);
        throw unauthorised('wrong email or password');
      }
      if (!(await verifyPassword(password, row.salt, row.hash))) throw unauthorised('wrong email or password');
      // Said only to someone who knows the password: it tells them to ask their admin.
      if (row.disabled_at !== null) throw forbidden('this account is disabled; ask an admin of your workspace');
      return toAccount(row);
    },
    count: () => (db.prepare<[], { n: number }>('SELECT count(*) AS n FROM accounts').get()?.n ?? 0),
    list: (ws) => db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE ws = ? ORDER BY name COLLATE NOCASE, email').all(ws).map(toAccount),
    setTeams(id, teams) {
      const row = existing(id);
      writeTeams(id, checkTeams(teams));
      return toAccount(row);
    },
    setAvatar(id, avatar) {
      existing(id);
      if (avatar !== null && !isAvatarUrl(avatar)) throw badRequest(`an avatar is an https URL of at most ${MAX_AVATAR_URL_LENGTH} characters`);
      db.prepare('UPDATE accounts SET avatar = ? WHERE id = ?').run(avatar, id);
      return toAccount(existing(id));
    },
    setDisabled(id, disabled) {
      existing(id);
      db.prepare('UPDATE accounts SET disabled_at = ? WHERE id = ?').run(disabled ? Date.now() : null, id);
      return toAccount(existing(id));
    },
    revokeTokens(ws, role, sub, at) {
      db.prepare('INSERT INTO revoked_tokens (ws, role, sub, issued_up_to) VALUES (?, ?, ?, ?) ON CONFLICT (ws, role, sub) DO UPDATE SET issued_up_to = MAX(issued_up_to, excluded.issued_up_to)').run(ws, role, sub, at);
    },
    tokensRevokedUpTo: (ws, role, sub) => revokedUpTo.get(ws, role, sub)?.issued_up_to ?? null,
  };
}
