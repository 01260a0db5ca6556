import { describe, expect, it } from 'vitest';
import { applyCanned, expandTemplate, matchCanned, mentions, slashQuery } from './canned.js';

describe('canned replies', () => {
  it('fills variables and falls back to a friendly greeting for an unknown name', () => {
    expect(expandTemplate('Hi {{customer.name}}, I am {{ agent.name }}.', { 'customer.name': 'Zoë 🌸', 'agent.name': 'Ana' })).toBe('Hi Zoë 🌸, I am Ana.');
    expect(expandTemplate('Hi {{customer.name}}', {})).toBe('Hi there');
    expect(expandTemplate('Order {{order.id}}', {})).toBe('Order {{order.id}}');
  });

  it.each([
    ['/ref', 'ref'], ['thanks /', ''], ['see http://a/b', null], ['no slash', null], ['/', ''],
  ])('slashQuery(%j) = %j', (text, q) => expect(slashQuery(text)).toBe(q));

  it('ranks prefix matches before substring matches', () => {
    const replies = [{ shortcut: 'thanks', text: 'Thank you' }, { shortcut: 'refund', text: 'Refunds take 5 days' }, { shortcut: 'prefs', text: 'x' }];
    expect(matchCanned(replies, 're').map((r) => r.shortcut)).toEqual(['refund', 'prefs']);
  });

  it('replaces the typed shortcut with the expanded reply', () => {
    expect(applyCanned('Sure! /ref', { shortcut: 'refund', text: 'Hi {{customer.name}}' }, { 'customer.name': 'Ana' })).toBe('Sure! Hi Ana');
  });

  it('finds @mentions but not emails', () => {
    expect(mentions('@bo please check, cc a@b.com and @ana.k')).toEqual(['bo', 'ana.k']);
  });
});
