/** The handle rules both clients share, seen through the socket client with no relay (connect: false). */
import { expect, it } from 'vitest';
import { createClient } from './client.js';
import { ParleyError } from '../errors.js';

const DOC = 'ws/acme/customers/c1/conv/k1';
const offline = () => createClient({ url: 'ws://unused', token: 't', connect: false });

it.each(['', 'ws/acme/../other', 'not a path'])('refuses to open %j as invalid_argument', async (name) => {
  const client = offline();
  expect(() => client.open(name)).toThrow(ParleyError);
  expect(() => client.open(name)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  await client.close();
});

it('refuses to open anything once the client is closed', async () => {
  const client = offline();
  await client.close();
  expect(() => client.open(DOC)).toThrow(/client is closed/);
});

it('keeps the document while another handle holds it, and each handle releases once', async () => {
  const client = offline();
  const first = client.open(DOC);
  const second = client.open(DOC);
  expect(second.doc).toBe(first.doc);
  first.doc.getArray<string>('messages').push(['kept']);
  await first.release();
  await first.release();
  // the second handle still sees a live document: the double release counted once
  expect(client.open(DOC).doc.getArray<string>('messages').toArray()).toEqual(['kept']);
  await client.close();
});
