import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAccountsDb, type AccountsDb } from './db.js';
import { createAccounts, type Accounts } from './accounts.js';

let db: AccountsDb;
let accounts: Accounts;
beforeAll(() => {
  db = openAccountsDb(':memory:');
  accounts = createAccounts(db);
});
afterAll(() => db.close());

describe('accounts', () => {
  it('signs in with the password it was created with, case-insensitive email', async () => {
    const { account, password } = await accounts.add({ ws: 'acme', email: 'Bo@Acme.test', name: 'Bo', role: 'admin' });
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(accounts.hasWorkspace('acme')).toBe(true);
    expect(await accounts.signIn('bo@acme.test', password)).toEqual(account);
  });

  it('stores a salted scrypt hash, not the password', async () => {
    await accounts.add({ ws: 'acme', email: 'x@acme.test', name: 'X', role: 'agent', password: 'same password!' });
    await accounts.add({ ws: 'acme', email: 'y@acme.test', name: 'Y', role: 'agent', password: 'same password!' });
    const rows = db.prepare<[], { hash: Buffer; salt: Buffer }>("SELECT hash, salt FROM accounts WHERE email IN ('x@acme.test', 'y@acme.test')").all();
    expect(rows[0]!.hash.equals(rows[1]!.hash)).toBe(false);
    expect(JSON.stringify(db.prepare('SELECT * FROM accounts').all())).not.toContain('same password!');
  });

  it.each([
    [{ email: 'not-an-email', password: 'long enough pw' }, 400],
    [{ email: 'z@acme.test', password: 'short' }, 400],
    [{ email: 'bo@acme.test', password: 'long enough pw' }, 409],
  ])('refuses %j with %i', async (input, status) => {
    await expect(accounts.add({ ws: 'acme', name: 'Z', role: 'agent', ...input })).rejects.toMatchObject({ status });
  });

  it('refuses a wrong password with 401', async () => {
    await expect(accounts.signIn('x@acme.test', 'not the password')).rejects.toMatchObject({ status: 401 });
  });
});

describe('teams and disabling', () => {
  it('stores teams given at creation, sorted and without duplicates, and returns them on sign-in', async () => {
    const { password } = await accounts.add({ ws: 'teams', email: 'tia@teams.test', name: 'Tia', role: 'agent', teams: ['tier1', 'sales', 'tier1'] });
    expect((await accounts.signIn('tia@teams.test', password)).teams).toEqual(['sales', 'tier1']);
  });

  it('replaces teams and lists the workspace by name, never across workspaces', async () => {
    const { account } = await accounts.add({ ws: 'teams', email: 'al@teams.test', name: 'Al', role: 'admin' });
    await accounts.add({ ws: 'elsewhere', email: 'zed@else.test', name: 'Zed', role: 'agent', teams: ['tier1'] });
    expect(accounts.setTeams(account.id, ['senior']).teams).toEqual(['senior']);
    expect(accounts.list('teams').map((a) => [a.name, a.teams])).toEqual([
      ['Al', ['senior']],
      ['Tia', ['sales', 'tier1']],
    ]);
  });

  it.each([[['has space']], [['']], [['x'.repeat(65)]], [Array.from({ length: 33 }, (_, i) => `t${i}`)], ['tier1' as unknown as string[]]])('refuses teams %j with 400', async (teams) => {
    await expect(accounts.add({ ws: 'teams', email: `bad${Math.random()}@teams.test`, name: 'B', role: 'agent', teams })).rejects.toMatchObject({ status: 400 });
  });

  it('a disabled account cannot sign in (403 after the password matched; 401 stays 401), and can be re-enabled', async () => {
    const { account, password } = await accounts.add({ ws: 'teams', email: 'dee@teams.test', name: 'Dee', role: 'agent' });
    expect(accounts.setDisabled(account.id, true).disabled).toBe(true);
    await expect(accounts.signIn('dee@teams.test', password)).rejects.toMatchObject({ status: 403 });
    await expect(accounts.signIn('dee@teams.test', 'wrong password!')).rejects.toMatchObject({ status: 401 });
    accounts.setDisabled(account.id, false);
    expect((await accounts.signIn('dee@teams.test', password)).disabled).toBe(false);
    expect(() => accounts.setDisabled('u-missing', true)).toThrow(expect.objectContaining({ status: 404 }));
  });

  it('tells a token check the account\'s workspace and whether it is disabled, null for no account', async () => {
    const { account } = await accounts.add({ ws: 'teams', email: 'sam@teams.test', name: 'Sam', role: 'agent' });
    expect(accounts.standing(account.id)).toEqual({ ws: 'teams', disabled: false });
    accounts.setDisabled(account.id, true);
    expect(accounts.standing(account.id)).toEqual({ ws: 'teams', disabled: true });
    expect(accounts.standing('u-missing')).toBeNull();
  });

  it('keeps an avatar only when it is a safe URL, and null removes it', async () => {
    const { account } = await accounts.add({ ws: 'teams', email: 'eve@teams.test', name: 'Eve', role: 'agent' });
    expect(account).not.toHaveProperty('avatar');
    expect(accounts.setAvatar(account.id, 'https://cdn.teams.test/eve.png').avatar).toBe('https://cdn.teams.test/eve.png');
    expect(() => accounts.setAvatar(account.id, 'javascript:alert(1)')).toThrow(expect.objectContaining({ status: 400 }));
    expect(accounts.get(account.id)?.avatar).toBe('https://cdn.teams.test/eve.png');
    expect(accounts.setAvatar(account.id, null)).not.toHaveProperty('avatar');
    expect(() => accounts.setAvatar('u-missing', null)).toThrow(expect.objectContaining({ status: 404 }));
  });
});

describe('accounts file migration', () => {
  it('opens a file written before teams and disabling existed, keeping its accounts', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'parley-accounts-')), 'accounts.sqlite');
    // The schema as the first release wrote it.
    const old = new Database(file);
    old.exec(`CREATE TABLE workspaces (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
      CREATE TABLE accounts (id TEXT PRIMARY KEY, ws TEXT NOT NULL REFERENCES workspaces(id), email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('agent', 'admin')), salt BLOB NOT NULL, hash BLOB NOT NULL, created_at INTEGER NOT NULL);`);
    old.close();
    const first = openAccountsDb(file);
    const { account, password } = await createAccounts(first).add({ ws: 'old', email: 'o@old.test', name: 'O', role: 'agent', password: 'long enough pw' });
    first.close();
    // Reopening runs the migration check again: it must be a no-op the second time.
    const again = openAccountsDb(file);
    const reopened = createAccounts(again);
    expect(await reopened.signIn('o@old.test', password)).toMatchObject({ id: account.id, teams: [], disabled: false });
    expect(reopened.setTeams(account.id, ['tier1']).teams).toEqual(['tier1']);
    // The avatar column arrived by migration too; it survives another reopen.
    expect(reopened.setAvatar(account.id, 'https://cdn.old.test/o.png').avatar).toBe('https://cdn.old.test/o.png');
    again.close();
    const third = openAccountsDb(file);
    expect(createAccounts(third).get(account.id)?.avatar).toBe('https://cdn.old.test/o.png');
    third.close();
  });
});
