import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BusinessHours } from '@parley/core';
import { offHoursReplyDue } from './off-hours.js';
import { testConversation } from './test-conversations.js';

// Monday to Friday 09:00-17:00 UTC. 2025-01-13 is a Monday.
const hours: BusinessHours = { timezone: 'UTC', days: [1, 2, 3, 4, 5].map((day) => ({ day: day as 1, open: '09:00', close: '17:00' })) };
const at = (iso: string): number => Date.parse(iso);
const input = (now: string) => ({ hours, reply: 'We are closed', now: at(now), botId: 'router' });

describe('off-hours reply', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  /** The customer (and later the bot) write at the given instants: core stamps Date.now(). */
  const writeAt = (iso: string, fn: () => void): void => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(at(iso));
    fn();
    vi.useRealTimers();
  };

  it('is due once for a customer writing at night, not again in the same night, and again the next night', () => {
    const t = testConversation();
    writeAt('2025-01-13T20:00:00Z', () => t.say('hello?'));
    expect(offHoursReplyDue(t.bot.snapshot(), input('2025-01-13T20:00:05Z'))).toBe(true);
    writeAt('2025-01-13T20:00:06Z', () => t.bot.send({ text: 'We are closed' }));
    expect(offHoursReplyDue(t.bot.snapshot(), input('2025-01-13T20:00:07Z'))).toBe(false);
    writeAt('2025-01-13T23:00:00Z', () => t.say('anyone?'));
    expect(offHoursReplyDue(t.bot.snapshot(), input('2025-01-13T23:00:01Z'))).toBe(false);
    writeAt('2025-01-14T19:00:00Z', () => t.say('still waiting'));
    expect(offHoursReplyDue(t.bot.snapshot(), input('2025-01-14T19:00:01Z'))).toBe(true);
  });

  it.each([
    ['in opening hours', '2025-01-13T10:00:00Z', '2025-01-13T10:00:01Z', hours, 'closed'],
    ['a message from before the business last opened', '2025-01-12T10:00:00Z', '2025-01-13T20:00:00Z', hours, 'closed'],
    ['no business hours configured', '2025-01-13T20:00:00Z', '2025-01-13T20:00:01Z', null, 'closed'],
    ['no reply configured', '2025-01-13T20:00:00Z', '2025-01-13T20:00:01Z', hours, null],
  ])('is not due: %s', (_name, written, now, h, reply) => {
    const t = testConversation();
    writeAt(written, () => t.say('hello?'));
    expect(offHoursReplyDue(t.bot.snapshot(), { hours: h, reply, now: at(now), botId: 'router' })).toBe(false);
  });

  it('is not due before any customer message', () => {
    const t = testConversation();
    expect(offHoursReplyDue(t.bot.snapshot(), input('2025-01-13T20:00:00Z'))).toBe(false);
  });
});
