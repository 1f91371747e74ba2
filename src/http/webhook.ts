import { OrgkitError } from '../errors/index.js';
import type { AccessControl } from '../roles/index.js';
import { errorResponse, jsonResponse } from './error-response.js';
import type { OrgkitCore } from './orgkit-core.js';

/**
 * Answers a WorkOS webhook delivery from its raw body and `WorkOS-Signature` header, which
 * `orgkit.handleWorkOSWebhook` checks. A bad signature is a 400; a failure to apply the event is a
 * 5xx, so WorkOS retries the delivery.
 *
 * @example
 * ```ts
 * app.post('/webhooks/workos', (c) => handleWebhookRequest(orgkit, c.req.raw))
 * ```
 */
export async function handleWebhookRequest<AC extends AccessControl>(
  orgkit: OrgkitCore<AC>,
  request: Request,
): Promise<Response> {
  return answerWebhook(orgkit, await request.text(), request.headers.get('workos-signature'));
}

/** The same, for frameworks that hand over the raw body themselves. @internal */
export async function answerWebhook<AC extends AccessControl>(
  orgkit: OrgkitCore<AC>,
  rawBody: string,
  signature: string | null | undefined,
): Promise<Response> {
  try {
    if (!orgkit.handleWorkOSWebhook) {
      throw new OrgkitError(
        'invalid_config',
        'webhook: this instance has no WorkOS sync; build it with createOrgkit, not createOrgkitCore',
      );
    }
    const result = await orgkit.handleWorkOSWebhook(rawBody, signature);
    return jsonResponse({ received: true, applied: result.applied });
  } catch (error) {
    return errorResponse(error);
  }
}
