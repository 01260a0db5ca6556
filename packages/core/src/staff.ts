/**
 * Staff accounts as the relay's HTTP API shows them (`GET /v1/agents`, and the answers of
 * `POST`/`PUT /v1/agents`): the relay writes these and the agent app reads them, so the shape lives
 * here once. Never credentials.
 */

export type StaffRole = 'agent' | 'admin';

export interface AgentEntry {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
  teams: string[];
  disabled: boolean;
  /** An https picture URL (conversation/avatar.ts); absent when the agent has none. */
  avatar?: string;
}
