import type { WorkOSClientLike } from '../config/workos-client.js';
import { OrgkitError } from '../errors/index.js';
import { ATTR, SPAN, traced } from '../telemetry/index.js';
import { createWebhookHandler } from './handle-webhook.js';
import { createReconcile } from './reconcile.js';
import { createEventsSync } from './sync-events.js';
import type { SyncApi, SyncDeps } from './types.js';

/**
 * Keeps the users / organizations / memberships mirror in step with WorkOS, from webhooks and
 * from the Events API. Both paths upsert idempotently, skip events older than the row, and drop
 * the cached roles of every user they change. `createOrgkit` wires it; apps call the two methods.
 *
 * @example
 * ```ts
 * // a route receiving WorkOS webhooks
 * const result = await orgkit.handleWorkOSWebhook(await request.text(), request.headers.get('workos-signature'))
 * // a scheduled job
 * const { applied } = await orgkit.syncWorkOSEvents()
 * ```
 */
export function createWorkOSSync(deps: SyncDeps): SyncApi {
  const requireWorkOS = (): WorkOSClientLike => {
    if (deps.workos) return deps.workos;
    throw new OrgkitError(
      'invalid_config',
      'workos: pass a WorkOS client (new WorkOS(...) from @workos-inc/node) to createOrgkit to sync with WorkOS',
      { details: { key: 'workos' } },
    );
  };
  const handleWebhook = createWebhookHandler(deps, requireWorkOS);
  const syncEvents = createEventsSync(deps, requireWorkOS);
  const reconcile = createReconcile(deps, requireWorkOS);
  const { telemetry } = deps;
  // Event types and counts only: a webhook's payload (emails, names) is never recorded.
  return {
    handleWorkOSWebhook: (rawBody, signatureHeader) =>
      traced(
        telemetry,
        SPAN.webhook,
        undefined,
        () => handleWebhook(rawBody, signatureHeader),
        (r) => ({ [ATTR.event]: r.event, [ATTR.applied]: r.applied }),
      ),
    syncWorkOSEvents: (options) =>
      traced(
        telemetry,
        SPAN.eventsSync,
        undefined,
        () => syncEvents(options),
        (r) => ({
          'orgkit.sync.applied_events': r.applied,
          'orgkit.sync.ignored_events': r.ignored,
        }),
      ),
    reconcileWorkOSMirror: (options) =>
      traced(telemetry, SPAN.reconcile, undefined, () => reconcile(options)),
  };
}
