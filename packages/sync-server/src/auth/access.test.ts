import { describe, expect, it } from 'vitest';
import type { Role } from '@parley/core';
import { authorize, type Access } from './access.js';
import type { Grant, Principal } from './principal.js';

const who = (role: Role, sub: string, grants: Grant[] = [], ws = 'acme'): Principal => ({ ws, role, sub, expiresAt: Date.now() + 60_000, grants });

const conv = 'ws/acme/customers/c1/conv/k1';
const otherConv = 'ws/acme/customers/c2/conv/k1';
const internal = 'ws/acme/internal/customers/c1/conv/k1';
const profile = 'ws/acme/customers/c1/profile';
const otherProfile = 'ws/acme/customers/c2/profile';
const settings = 'ws/acme/settings';
const announcements = 'ws/acme/announcements';
const directory = 'ws/acme/directory';
const foreign = 'ws/other/customers/c1/conv/k1';
const foreignSettings = 'ws/other/settings';
const notADoc = 'ws/acme/customers/c1';

const customer = who('customer', 'c1');
const agent = who('agent', 'a1');
const admin = who('admin', 'root');

describe('[P4] authorize', () => {
  it.each<[string, Principal, string, Access | null]>([
    ['customer: own conversation', customer, conv, 'rw'],
    ['customer: own profile', customer, profile, 'rw'],
    ['customer: other customer conversation', customer, otherConv, null],
    ['customer: other customer profile', customer, otherProfile, null],
    ['customer: internal notes of own conversation', customer, internal, null],
    ['customer: settings read-only', customer, settings, 'r'],
    ['customer: announcements read-only', customer, announcements, 'r'],
    ['customer: directory', customer, directory, null],
    ['customer: other workspace, same cid', customer, foreign, null],
    ['customer: other workspace settings', customer, foreignSettings, null],
    ['customer: not a document name', customer, notADoc, null],
    ['agent: any customer conversation', agent, otherConv, 'rw'],
    ['agent: internal', agent, internal, 'rw'],
    ['agent: profile read-only', agent, profile, 'r'],
    ['agent: settings read-only', agent, settings, 'r'],
    ['agent: announcements read-only', agent, announcements, 'r'],
    ['agent: directory read-only', agent, directory, 'r'],
    ['agent: other workspace', agent, foreign, null],
    ['admin: conversation', admin, conv, 'rw'],
    ['admin: internal', admin, internal, 'rw'],
    ['admin: settings', admin, settings, 'rw'],
    ['admin: announcements', admin, announcements, 'rw'],
    ['admin: directory stays read-only', admin, directory, 'r'],
    ['admin: other workspace', admin, foreignSettings, null],
    ['bot without grants', who('bot', 'b1'), conv, null],
    ['bot rw grant on customers', who('bot', 'b1', [{ prefix: 'ws/acme/customers/', access: 'rw' }]), conv, 'rw'],
    ['bot r grant', who('bot', 'b1', [{ prefix: 'ws/acme/customers', access: 'r' }]), conv, 'r'],
    ['bot grant matches whole segments only', who('bot', 'b1', [{ prefix: 'ws/acme/customers/c', access: 'rw' }]), conv, null],
    ['bot exact-name grant', who('bot', 'b1', [{ prefix: settings, access: 'rw' }]), settings, 'rw'],
    ['bot widest of several grants', who('bot', 'b1', [{ prefix: 'ws/acme', access: 'r' }, { prefix: 'ws/acme/customers/c1', access: 'rw' }]), conv, 'rw'],
    ['bot rw grant cannot write the directory', who('bot', 'b1', [{ prefix: 'ws/acme', access: 'rw' }]), directory, 'r'],
    ['bot grant into another workspace', who('bot', 'b1', [{ prefix: 'ws/other', access: 'rw' }]), foreign, null],
  ])('%s', (_label, principal, doc, expected) => {
    expect(authorize(principal, doc)).toBe(expected);
  });
});
