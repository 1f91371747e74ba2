export { createWorkOSSync } from './create-workos-sync.js';
export type {
  MirroredEvent,
  ReconcileCounts,
  ReconcileOptions,
  ReconcileReport,
  SyncApi,
  SyncDeps,
  SyncEventsOptions,
  SyncEventsResult,
  WebhookResult,
} from './types.js';
export { MIRRORED_EVENTS } from './types.js';
export type { WebhookRejectionReason } from './verify-webhook.js';
