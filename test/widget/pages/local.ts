/** Test page entry: <parley-chat> over core's Conversation with a local port (see local-port.ts). */
import * as Y from 'yjs';
import { Conversation, announcementsDoc, conversationDoc, putAnnouncement, settingsDoc } from '@parley/core';
import { ParleyChat } from '../../../packages/widget/src/parley-chat.js';
import { createCoreStore } from '../../../packages/widget/src/store/core-store.js';
import { createLocalPort } from './local-port.js';

const port = createLocalPort();
const params = new URLSearchParams(location.search);

class LocalParleyChat extends ParleyChat {
  constructor() {
    super();
    this.connector = async ({ session }) =>
      createCoreStore({ port, ws: session.ws, customerId: session.customerId, deviceId: 'device-1', blobUrl: (h) => `/blobs/${h}` });
  }
}
customElements.define('parley-chat', LocalParleyChat);

/** Lets a test play the agent: write into the same documents the widget reads. */
const testApi = {
  port,
  settings(patch: Record<string, unknown>) {
    const doc = port.open(settingsDoc('demo')).doc;
    doc.transact(() => {
      for (const [k, v] of Object.entries(patch)) doc.getMap('settings').set(k, v);
    });
  },
  announce(text: string, level: 'info' | 'warning' | 'outage') {
    putAnnouncement(port.open(announcementsDoc('demo')).doc, { text, level, startsAt: Date.now() - 1000, endsAt: null });
  },
  agentReply(customerId: string, conversationId: string, text: string, as: { id?: string; name?: string; avatar?: string } = {}) {
    const doc = port.open(conversationDoc('demo', customerId, conversationId)).doc;
    const me = { role: 'agent' as const, id: as.id ?? 'agent-1', name: as.name ?? 'Aino', ...(as.avatar ? { avatar: as.avatar } : {}) };
    const agent = Conversation.open({ doc, me, deviceId: 'agent-device' });
    agent.send({ text });
    return agent;
  },
  resolve(customerId: string, conversationId: string) {
    const doc = port.open(conversationDoc('demo', customerId, conversationId)).doc;
    Conversation.open({ doc, me: { role: 'agent', id: 'agent-1', name: 'Aino' }, deviceId: 'agent-device' }).resolve();
  },
  Y,
};
(window as unknown as { parleyTest: typeof testApi }).parleyTest = testApi;

// A session token the widget accepts without a relay: claims only, the signature is never checked here.
const b64 = (o: object): string => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const token = `${b64({ alg: 'none' })}.${b64({ ws: 'demo', sub: 'cust-1', role: 'customer', exp: Math.floor(Date.now() / 1000) + 90 * 86400 })}.x`;
const el = document.createElement('parley-chat');
el.workspace = 'demo';
el.relay = location.origin;
if (params.get('locale')) el.locale = params.get('locale')!;
el.identify(token);
document.body.append(el);
