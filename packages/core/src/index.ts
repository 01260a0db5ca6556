/**
 * @parley/core: runs unchanged in browsers and Node. No DOM-only or Node-only imports here;
 * environment specifics live in `./browser` and `./node`.
 */
export * as protocol from './protocol.js';
export * from './docs.js';
export {
  createClient,
  fromReplica,
  type ParleyClient,
  type ClientOptions,
  type DocHandle,
  type ConnectionStatus,
  type ClientEvents,
  type DocEvents,
  type ErrorContext,
  type TokenProvider,
} from './client/client.js';
export type { AckSource } from './client/ack-source.js';
export { createAckTracker, type AckTracker } from './client/ack-tracker.js';
export type { BackoffOptions } from './client/backoff.js';
export type { WebSocketLike, WebSocketConstructor, Timers } from './client/transport.js';
export { createMemoryStore } from './persistence/memory-store.js';
export type { ReplicaStore, Replica } from './persistence/types.js';
export * from './errors.js';
export * from './ids.js';
export type { StaffRole, AgentEntry } from './staff.js';
export * from './conversation/types.js';
export * from './conversation/conversation.js';
export { STATUSES, STATUS_TRANSITIONS, canTransition, effectiveStatus, isActive } from './conversation/status.js';
export { receiptKey, parseReceiptKey, type ReceiptKind } from './conversation/receipts.js';
export { readConversation } from './conversation/read.js';
export * from './conversation/internal-notes.js';
export { isAvatarUrl, checkAvatar, MAX_AVATAR_URL_LENGTH } from './conversation/avatar.js';
export * from './settings/workspace-settings.js';
export * from './settings/announcements.js';
export * from './settings/profile.js';
export { matchesUrlPattern } from './settings/url-pattern.js';
export * from './settings/routing-settings.js';
export * from './reports/metrics.js';
export { reportToCsv, volumeToCsv, toCsv } from './reports/csv.js';
export * from './reports/inbox.js';
export { percentile, distribution, type Distribution } from './reports/stats.js';
export { firstResponseMs, resolutionMs, oldestUnanswered } from './reports/conversation-facts.js';
