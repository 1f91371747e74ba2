import * as z from 'zod';
import type { WorkOSClientLike } from '../config/workos-client.js';
import { isOrgkitError, OrgkitError, parseInput } from '../errors/index.js';
import { applyChange, applyFailed, invalidateUsers } from './apply-change.js';
import { recordMembershipChanges } from './membership-audit.js';
import { eventHeader, toMirrorChange } from './mirror-event.js';
import { recordRevocations } from './revocation-marks.js';
import type { SyncDeps, WebhookResult } from './types.js';
import { createWebhookVerifier } from './verify-webhook.js';

const inputSchema = z.strictObject({
  rawBody: z.string({ error: 'expected the raw request body as a string (await request.text())' }),
  signatureHeader: z.string().nullish(),
});

/** The webhook handler of {@link createWorkOSSync}. @internal */
export function createWebhookHandler(deps: SyncDeps, requireWorkOS: () => WorkOSClientLike) {
  let verify: ReturnType<typeof createWebhookVerifier> | undefined;

  return async function handleWorkOSWebhook(
    rawBody: string,
    signatureHeader: string | null | undefined,
  ): Promise<WebhookResult> {
    parseInput(inputSchema, { rawBody, signatureHeader }, 'handleWorkOSWebhook');
    const workos = requireWorkOS();
    const config = deps.webhooks;
    if (!config?.secret) {
      throw new OrgkitError(
        'invalid_config',
        'handleWorkOSWebhook: webhooks.secret: set createOrgkit({ webhooks: { secret } }) to verify WorkOS webhooks',
        { details: { key: 'webhooks.secret' } },
      );
    }
    verify ??= createWebhookVerifier(workos);
    const event = await verify(rawBody, signatureHeader, config.secret, config.toleranceMs);
    const header = eventHeader(event);
    if (!header) {
      throw new OrgkitError('webhook_invalid', 'WorkOS webhook rejected: not an event', {
        reason: 'malformed_payload',
      });
    }
    const change = toMirrorChange(event);
    if (!change) return { eventId: header.id, event: header.event, applied: false };
    let outcome: Awaited<ReturnType<typeof applyChange>>;
    try {
      outcome = await deps.db.transaction(async (tx) => {
        const applied = await applyChange(tx, deps.tables, change);
        const seen = (applied.memberships ?? []).map((m) => ({ change: m, eventId: header.id }));
        await recordMembershipChanges(tx, deps.recordAudit, 'workos-webhook', seen);
        const revoked = (applied.revocations ?? []).map((mark) => ({ mark, eventId: header.id }));
        await recordRevocations(tx, deps.recordAudit, 'workos-webhook', revoked);
        return applied;
      });
    } catch (error) {
      throw isOrgkitError(error) ? error : applyFailed('handleWorkOSWebhook', error);
    }
    await invalidateUsers(deps.invalidateUser, outcome.userIds);
    return { eventId: header.id, event: header.event, applied: outcome.applied };
  };
}
