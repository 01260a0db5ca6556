/**
 * @parley/sync-server: the relay as a library. Most people run the `parley` command instead;
 * these exports are for embedding the relay in another Node program and for tests.
 */
export { startServer, defaultStaticDirs, type ServerOptions, type RunningServer } from './server.js';
export { createApp, type AppDeps, type ParleyApp, type StaticDirs } from './http/app.js';
export { createTokens, tokenFrom, DEFAULT_TTL_SECONDS, type Tokens, type TokenRequest } from './auth/tokens.js';
export { authorize, type Access } from './auth/access.js';
export { loadSecret } from './auth/secret.js';
export { HttpError, type ErrorCode } from './http/errors.js';
export { createLogger, silentLogger, type Logger, type LogFields } from './log.js';
export type { Principal, Grant } from './auth/principal.js';
export type { RelaySocket } from './socket.js';
export type { DocStore, StoredDoc, DocSummary } from './storage/types.js';
export { openStore, type StoreSpec } from './storage/index.js';
export type { FanOut } from './fanout/types.js';
export { createWorker, DEFAULT_BOT, type Worker, type WorkerOptions, type WorkerStats, type HandledListener } from './worker/worker.js';
export { workerGrants } from './worker/serve.js';
export { createNotifier, PUSH_BOT, type Notifier, type NotifierOptions, type NotifierEvent, type NotifierStats } from './push/notifier.js';
export { createPushSender, type PushSender, type PushPayload, type SendOutcome } from './push/sender.js';
export { createPushSubscriptions, type PushSubscriptions, type PushSubscriptionJson } from './push/subscriptions.js';
export { loadVapidKeys, type VapidKeys } from './push/vapid.js';
export { notifierGrants, type PushOptions } from './push/serve.js';
