import { describe, expect, it } from 'vitest';
import * as protocol from './protocol.js';
import { Frame, Code, ProtocolError } from './protocol.js';

describe('protocol', () => {
  it.each<protocol.MuxFrame>([
    { type: Frame.sync, doc: 'ws/a/settings', message: protocol.encodeSyncMessage(protocol.syncUpdate, new Uint8Array([0, 0])) },
    { type: Frame.awareness, doc: 'ws/a/settings', update: new Uint8Array([1, 2, 3]) },
    { type: Frame.open, doc: 'ws/a/customers/c1/conv/x', stateVector: new Uint8Array([0]) },
    { type: Frame.close, doc: 'ws/a/settings', code: Code.forbidden, reason: 'no' },
    { type: Frame.ack, doc: 'ws/a/settings', stateVector: new Uint8Array([1, 5, 3]) },
    { type: Frame.error, doc: '', code: Code.tooLarge, reason: 'frame over 1 MiB' },
    { type: Frame.auth, token: 'abc.def.ghi' },
    { type: Frame.synced, doc: 'ws/a/announcements' },
  ])('round-trips frame type $type', (frame) => {
    expect(protocol.decodeFrame(protocol.encodeFrame(frame))).toEqual(frame);
  });

  it('[P2] rejects document names outside the path grammar', () => {
    for (const bad of ['', '/x', 'a//b', 'a/../b', 'a/./b', 'a/..', 'a/.', '..', 'a/b/', 'a b', 'x'.repeat(257), 'ws/a/é']) {
      expect(protocol.isValidDocName(bad), bad).toBe(false);
    }
    for (const good of ['ws/demo/customers/c-1/conv/01JX', 'ws/a/.b', 'ws/a/b..', 'ws/a/...']) expect(protocol.isValidDocName(good), good).toBe(true);
  });

  it('[P1] malformed frames raise ProtocolError with 4400, never anything else', () => {
    const inputs = [new Uint8Array([]), new Uint8Array([99]), new Uint8Array([2, 200]), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])];
    for (const input of inputs) {
      expect(() => protocol.decodeFrame(input)).toThrow(ProtocolError);
    }
    const ack = protocol.encodeFrame({ type: Frame.ack, doc: 'ws/a/settings', stateVector: new Uint8Array([0]) });
    expect(() => protocol.decodeFrame(new Uint8Array([...ack, 7]))).toThrow(/trailing/);
  });

  it('decodes y-websocket messages and rejects unknown sync kinds', () => {
    const msg = protocol.encodeYwsSync(protocol.syncStep1, new Uint8Array([0]));
    expect(protocol.decodeYwsMessage(msg)).toEqual({ type: protocol.messageSync, kind: protocol.syncStep1, payload: new Uint8Array([0]) });
    expect(() => protocol.decodeYwsMessage(new Uint8Array([0, 9, 0]))).toThrow(ProtocolError);
  });

  it('retries only after transient codes', () => {
    expect(protocol.isRetryable(Code.goingAway)).toBe(true);
    expect(protocol.isRetryable(Code.forbidden)).toBe(false);
    expect(protocol.isRetryable(Code.unauthorised)).toBe(false);
  });
});
