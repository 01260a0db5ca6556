import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isParleyError } from '../errors.js';
import { capacityOf, DEFAULT_ROUTING_SETTINGS, readRoutingSettings, teamMembers, updateRoutingSettings, wasOpenBetween, type RoutingSettings } from './routing-settings.js';
import { readSettings, settingsMap, updateSettings, type BusinessHours } from './workspace-settings.js';

describe('routing settings', () => {
  it('reads defaults from an empty document', () => {
    expect(readRoutingSettings(new Y.Doc())).toEqual(DEFAULT_ROUTING_SETTINGS);
  });

  it('round-trips to another replica and leaves the workspace settings alone', () => {
    const admin = new Y.Doc();
    const worker = new Y.Doc();
    const patch: RoutingSettings = {
      teams: [{ name: 'billing', members: ['a1', 'a2'] }],
      defaultCapacity: 3,
      agentCapacity: { a2: 1 },
      offHoursReply: 'We are closed, {{customer.name}}; back at 9.',
    };
    updateSettings(admin, { greeting: 'Hello' });
    updateRoutingSettings(admin, patch);
    Y.applyUpdate(worker, Y.encodeStateAsUpdate(admin));
    expect(readRoutingSettings(worker)).toEqual(patch);
    expect(readSettings(worker).greeting).toBe('Hello');
  });

  it.each([
    ['teams', [{ name: '', members: [] }]],
    ['teams', [{ name: 'x', members: [1] }]],
    ['defaultCapacity', -1],
    ['defaultCapacity', 1.5],
    ['agentCapacity', { a: 'two' }],
    ['offHoursReply', '  '],
    ['nonsense', 1],
  ])('refuses %s = %j and reads a malformed stored value as its default', (key, value) => {
    const doc = new Y.Doc();
    let code: string | undefined;
    try {
      updateRoutingSettings(doc, { [key]: value } as Partial<RoutingSettings>);
    } catch (err) {
      code = isParleyError(err) ? err.code : 'other';
    }
    expect(code).toBe('invalid_argument');
    settingsMap(doc).set(key, value);
    expect(readRoutingSettings(doc)).toEqual(DEFAULT_ROUTING_SETTINGS);
  });

  it('answers team members and capacities, with per-agent limits first', () => {
    const s: RoutingSettings = { ...DEFAULT_ROUTING_SETTINGS, teams: [{ name: 'sales', members: ['a1'] }], defaultCapacity: 2, agentCapacity: { a1: 5 } };
    expect(teamMembers(s, 'sales')).toEqual(['a1']);
    expect(teamMembers(s, 'unknown')).toEqual([]);
    expect(capacityOf(s, 'a1')).toBe(5);
    expect(capacityOf(s, 'a9')).toBe(2);
    expect(capacityOf(DEFAULT_ROUTING_SETTINGS, 'a9')).toBe(Infinity);
  });
});

describe('wasOpenBetween', () => {
  // Monday to Friday 09:00-17:00 in Helsinki (UTC+2 in winter, UTC+3 in summer).
  const hours: BusinessHours = { timezone: 'Europe/Helsinki', days: [1, 2, 3, 4, 5].map((day) => ({ day: day as 1, open: '09:00', close: '17:00' })) };
  const at = (iso: string): number => Date.parse(iso);

  it.each([
    ['same evening', '2025-01-13T16:00:00Z', '2025-01-13T20:00:00Z', false],
    ['overnight into the morning opening', '2025-01-13T16:00:00Z', '2025-01-14T07:30:00Z', true],
    ['overnight before the opening', '2025-01-13T16:00:00Z', '2025-01-14T06:59:00Z', false],
    ['Friday night to Sunday', '2025-01-17T18:00:00Z', '2025-01-19T12:00:00Z', false],
    ['Friday night to Monday 09:00 local', '2025-01-17T18:00:00Z', '2025-01-20T07:00:00Z', true],
    ['from inside opening hours', '2025-01-13T08:00:00Z', '2025-01-13T20:00:00Z', true],
    ['more than a week', '2025-01-13T16:00:00Z', '2025-01-21T16:00:00Z', true],
    ['summer time: 06:30Z is 09:30 local', '2025-07-14T20:00:00Z', '2025-07-15T06:30:00Z', true],
  ])('%s', (_name, from, to, expected) => {
    expect(wasOpenBetween(hours, at(from), at(to))).toBe(expected);
  });

  it('is always open without hours, and never open with an empty week', () => {
    expect(wasOpenBetween(null, 0, 1)).toBe(true);
    expect(wasOpenBetween({ timezone: 'UTC', days: [] }, 0, 30 * 86_400_000)).toBe(false);
  });
});
