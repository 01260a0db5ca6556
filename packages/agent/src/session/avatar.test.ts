import { describe, expect, it } from 'vitest';
import { MAX_AVATAR_URL_LENGTH } from '@parley/core';
import { avatarProblem } from './avatar.js';

const REFUSED = `An avatar is an https URL of at most ${MAX_AVATAR_URL_LENGTH} characters.`;

describe('avatarProblem', () => {
  it.each(['https://cdn.example.com/me.png', 'http://localhost:5173/me.png', ''])('takes %j', (url) => expect(avatarProblem(url)).toBeNull());

  it.each([
    ['a script URL', 'javascript:alert(1)'],
    ['inline data', 'data:image/png;base64,AAAA'],
    ['plain http off loopback', 'http://cdn.example.com/me.png'],
    ['credentials', 'https://me:secret@cdn.example.com/me.png'],
    ['not a URL', 'my face'],
    ['an overlong URL', `https://cdn.example.com/${'x'.repeat(MAX_AVATAR_URL_LENGTH)}`],
  ])('refuses %s with core\'s sentence', (_what, url) => expect(avatarProblem(url)).toBe(REFUSED));
});
