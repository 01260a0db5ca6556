/**
 * The answer timeout against a relay that accepts sockets and then says nothing: which sockets
 * are replaced, after how long, and how the timeout stretches and recovers. Timers are driven by
 * hand; the end-to-end version through a real relay and a dead link is test/chaos/stranded.test.ts.
 */
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { createClient } from './client.js';
import type { Timers, WebSocketLike } from './transport.js';
import { Frame, decodeFrame, encodeFrame, encodeSyncMessage, syncStep1 } from '../protocol.js';

const DOC = 'ws/acme/customers/c1/conv/k1';
const ANSWER_MS = 1_000;
/** random() = 1 and a 3 ms ceiling: every reconnect delay is 3 ms, told apart from answer periods by length */
const RECONNECT_MS = 3;

interface Pending {
  fn: () => void;
  ms: number;
  done: boolean;
}

function manualTimers() {
  const pending: Pending[] = [];
  const timers: Timers = {
    setTimeout(fn, ms) {
      const p = { fn, ms, done: false };
      pending.push(p);
      return p;
    },
    clearTimeout(handle) {
      (handle as Pending).done = true;
    },
  };
  const armed = (): number[] => pending.filter((p) => !p.done).map((p) => p.ms);
  /** Runs the earliest armed timer of this length, as if its time had come. */
  const fire = (ms: number): void => {
    const p = pending.find((t) => !t.done && t.ms === ms);
    if (!p) throw new Error(`no ${ms} ms timer armed (armed: ${armed().join(', ')})`);
    p.done = true;
    p.fn();
  };
  return { timers, armed, fire };
}

/** Opens at once, then hears nothing from the relay unless the test says so. */
class SilentRelaySocket implements WebSocketLike {
  static all: SilentRelaySocket[] = [];
  binaryType = 'arraybuffer';
  readyState = 0;
  bufferedAmount = 0;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  sent: Uint8Array[] = [];
  terminated = false;
  constructor(readonly url: string) {
    SilentRelaySocket.all.push(this);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  send(data: Uint8Array): void {
    this.sent.push(data);
  }
  /** What the relay says: step 1 and `synced` for the document. */
  answerOpen(doc: string): void {
    this.onmessage?.({ data: encodeFrame({ type: Frame.sync, doc, message: encodeSyncMessage(syncStep1, Y.encodeStateVector(new Y.Doc())) }) });
    this.onmessage?.({ data: encodeFrame({ type: Frame.synced, doc }) });
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
  close(): void {
    this.readyState = 3;
  }
}

async function setUp() {
  SilentRelaySocket.all = [];
  const { timers, armed, fire } = manualTimers();
  const client = createClient({
    url: 'ws://relay.test',
    token: 't',
    WebSocket: SilentRelaySocket,
    timers,
    random: () => 1,
    backoff: { initialMs: RECONNECT_MS, maxMs: RECONNECT_MS, stableMs: 999_999 },
    answerTimeoutMs: ANSWER_MS,
  });
  const handle = client.open(DOC);
  await handle.whenLoaded;
  // connect() awaits the token before it makes a socket
  await new Promise((resolve) => setTimeout(resolve, 0));
  const socket = (): SilentRelaySocket => SilentRelaySocket.all.at(-1)!;
  const reconnect = async (): Promise<SilentRelaySocket> => {
    fire(RECONNECT_MS);
    await new Promise((resolve) => setTimeout(resolve, 0));
    socket().open();
    return socket();
  };
  socket().open();
  return { client, handle, socket, reconnect, armed, fire };
}

it('replaces a socket that owes an answer and says nothing for a whole period, not before', async () => {
  const { client, socket, armed, fire } = await setUp();
  const first = socket();
  expect(decodeFrame(first.sent[0]!).type).toBe(Frame.open);
  // The first period saw the socket open: heard from, so it is watched for one more.
  fire(ANSWER_MS);
  expect(first.terminated).toBe(false);
  fire(ANSWER_MS);
  expect(first.terminated).toBe(true);
  expect(client.status).toBe('offline');
  expect(armed()).toContain(RECONNECT_MS);
  await client.close();
});

it('keeps a silent socket that owes nothing, and one whose upload is still leaving', async () => {
  const { client, handle, socket, armed, fire } = await setUp();
  socket().answerOpen(DOC);
  fire(ANSWER_MS);
  // Synced, nothing sent since: nothing owed, so no timer at all.
  expect(armed()).not.toContain(ANSWER_MS);
  socket().bufferedAmount = 50_000;
  handle.doc.getArray<string>('messages').push(['a long message on a slow uplink']);
  fire(ANSWER_MS);
  fire(ANSWER_MS);
  expect(socket().terminated).toBe(false);
  socket().bufferedAmount = 0;
  fire(ANSWER_MS);
  expect(socket().terminated).toBe(true);
  await client.close();
});

it('doubles the timeout for each socket replaced in a row, up to 4×, and returns to it at the next answer', async () => {
  const { client, reconnect, armed, fire } = await setUp();
  fire(ANSWER_MS);
  fire(ANSWER_MS);
  const periods: number[] = [];
  for (let i = 0; i < 4; i++) {
    await reconnect();
    const period = Math.max(...armed().filter((ms) => ms >= ANSWER_MS && ms <= 8 * ANSWER_MS));
    periods.push(period);
    fire(period);
    fire(period);
  }
  expect(periods).toEqual([2 * ANSWER_MS, 4 * ANSWER_MS, 4 * ANSWER_MS, 4 * ANSWER_MS]);
  const live = await reconnect();
  expect(armed()).toContain(4 * ANSWER_MS);
  live.answerOpen(DOC);
  // The answer puts the period under way back to the base too.
  expect(armed()).not.toContain(4 * ANSWER_MS);
  expect(armed()).toContain(ANSWER_MS);
  expect(live.terminated).toBe(false);
  await client.close();
});
