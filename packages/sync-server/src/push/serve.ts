/**
 * Web Push inside `parley serve`: the VAPID keys, the subscriptions table, the routes' dependencies
 * and one notifier per workspace, each a read-only bot client of this very relay over a real socket
 * (held to the same access rules as any peer), with a token minted for every connection.
 */
import { DEFAULT_TTL_SECONDS, type Tokens } from '../auth/tokens.js';
import type { Grant } from '../auth/principal.js';
import type { AccountsDb } from '../accounts/db.js';
import type { Logger } from '../log.js';
import { createNotifier, PUSH_BOT, type Notifier } from './notifier.js';
import type { PushRoutesDeps } from './routes.js';
import { createPushSender } from './sender.js';
import { createPushSubscriptions, type PushSubscriptions } from './subscriptions.js';
import { loadVapidKeys, type VapidKeys } from './vapid.js';

/** What the notifier may read: the customers' conversations and the directory. It writes nothing. */
export function notifierGrants(ws: string): Grant[] {
  return [
    { prefix: `ws/${ws}/customers/`, access: 'r' },
    { prefix: `ws/${ws}/directory`, access: 'r' },
  ];
}

export interface PushOptions {
  /** a customer's grace period to read a reply before their devices are woken (default 10 s) */
  graceMs?: number;
  /** tests only: accept http://127.0.0.1 subscription endpoints */
  allowLoopbackHttp?: boolean;
  /** VAPID keys; default PARLEY_VAPID_* or `<data>/vapid.json` */
  vapid?: VapidKeys;
}

export interface PushSetup {
  vapid: VapidKeys;
  subscriptions: PushSubscriptions;
  routes: PushRoutesDeps;
}

export function setUpPush(options: PushOptions, deps: { dataDir: string; accountsDb: AccountsDb; tokens: Tokens; log: Logger }): PushSetup {
  let vapid = options.vapid;
  if (!vapid) {
    const loaded = loadVapidKeys(deps.dataDir);
    vapid = loaded.keys;
    if (loaded.source === 'generated') deps.log.info('generated a VAPID key pair for Web Push', { file: 'vapid.json', hint: 'set PARLEY_VAPID_PUBLIC_KEY/PRIVATE_KEY to share one pair between relays' });
  }
  const subscriptions = createPushSubscriptions(deps.accountsDb);
  return {
    vapid,
    subscriptions,
    routes: { tokens: deps.tokens, subscriptions, vapidPublicKey: vapid.publicKey, allowLoopbackHttp: options.allowLoopbackHttp === true, log: deps.log },
  };
}

export interface ServedNotifiers {
  readonly notifiers: ReadonlyMap<string, Notifier>;
  /** Starts the notifier of a workspace created after start; a workspace that has one keeps it. */
  add(ws: string): void;
  stop(): Promise<void>;
}

export function startServedNotifiers(options: {
  /** this relay's websocket origin */
  url: string;
  /** this relay's http origin: where a click leads when the conversation has no referral page (the demo page) */
  httpUrl: string;
  tokens: Tokens;
  workspaces: readonly string[];
  setup: PushSetup;
  graceMs?: number;
  log: Logger;
}): ServedNotifiers {
  const sender = createPushSender({ vapid: options.setup.vapid });
  const notifiers = new Map<string, Notifier>();
  let stopped = false;
  const add = (ws: string): void => {
    if (stopped || notifiers.has(ws)) return;
    const log = options.log.child({ component: 'push', ws });
    notifiers.set(
      ws,
      createNotifier({
        relayUrl: options.url,
        ws,
        tokenProvider: () => options.tokens.sign({ ws, role: 'bot', sub: PUSH_BOT.id, name: PUSH_BOT.name, grants: notifierGrants(ws) }, DEFAULT_TTL_SECONDS.bot),
        subscriptions: options.setup.subscriptions,
        sender,
        fallbackUrl: `${options.httpUrl}/`,
        ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
        log: (level, msg, fields) => log[level](msg, fields),
      }),
    );
  };
  for (const ws of options.workspaces) add(ws);
  return {
    notifiers,
    add,
    stop: async () => {
      stopped = true;
      await Promise.all([...notifiers.values()].map((n) => n.stop()));
    },
  };
}
