// CONTRACT STUB — replaced by the WorkOS sync implementation.
import type { WorkOSClientLike } from '../config/workos-client.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';

export interface SyncDeps {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  workos: WorkOSClientLike | undefined;
  webhooks: { secret: string; toleranceMs: number } | undefined;
  invalidateUser(userId: string): Promise<void>;
}

export interface WebhookResult {
  eventId: string;
  event: string;
  applied: boolean;
}

export interface SyncEventsResult {
  applied: number;
  ignored: number;
  cursor: string | undefined;
}

export interface SyncApi {
  handleWorkOSWebhook(
    rawBody: string,
    signatureHeader: string | null | undefined,
  ): Promise<WebhookResult>;
  syncWorkOSEvents(options?: { limit?: number }): Promise<SyncEventsResult>;
}

export function createWorkOSSync(_deps: SyncDeps): SyncApi {
  throw new Error('not implemented');
}
