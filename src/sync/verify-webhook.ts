import type { WorkOSClientLike } from '../config/workos-client.js';
import { OrgkitError } from '../errors/index.js';

/** Why a webhook was refused; `OrgkitError.reason` of `webhook_invalid`. */
export type WebhookRejectionReason =
  | 'missing_signature'
  | 'malformed_signature'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'signature_mismatch'
  | 'malformed_payload';

const TIMESTAMP = /^\s*t=(\d{1,16})\s*$/;
const SIGNATURE = /^\s*v1=([0-9a-fA-F]{1,128})\s*$/;

function reject(reason: WebhookRejectionReason, message: string, cause?: unknown): OrgkitError {
  return new OrgkitError('webhook_invalid', `WorkOS webhook rejected: ${message}`, {
    reason,
    cause,
  });
}

/**
 * The timestamp of a `WorkOS-Signature: t=<ms>, v1=<hex>` header, in the shape the SDK parses
 * (it reads the first two comma-separated parts positionally).
 */
function signedAt(header: string | null | undefined): number {
  if (!header) throw reject('missing_signature', 'no WorkOS-Signature header');
  const [t, v1] = header.split(',');
  const ms = t?.match(TIMESTAMP)?.[1];
  if (!ms || !v1 || !SIGNATURE.test(v1)) {
    throw reject('malformed_signature', 'expected "t=<ms>, v1=<hex>"');
  }
  return Number(ms);
}

/**
 * Verifies WorkOS webhooks with the SDK's `webhooks.constructEvent`. SDKs before 9.3.1 sign
 * `JSON.stringify(payload)` and so need the parsed body; later ones sign the raw string. One probe
 * of `computeSignature` tells which, so every supported major verifies the exact bytes it can.
 * @internal
 */
export function createWebhookVerifier(workos: WorkOSClientLike) {
  let rawStrings: Promise<boolean> | undefined;
  const signsRawStrings = async (): Promise<boolean> => {
    const compute = workos.webhooks?.computeSignature;
    if (typeof compute !== 'function') return true;
    const [asString, asObject] = await Promise.all([
      compute('0', '{}', 'orgkit-probe'),
      compute('0', {}, 'orgkit-probe'),
    ]);
    return asString === asObject;
  };

  return async function verify(
    rawBody: string,
    header: string | null | undefined,
    secret: string,
    toleranceMs: number,
  ): Promise<unknown> {
    const at = signedAt(header);
    const now = Date.now();
    if (at < now - toleranceMs) throw reject('stale_timestamp', 'signature timestamp too old');
    if (at > now + toleranceMs) {
      throw reject('future_timestamp', 'signature timestamp in the future');
    }
    rawStrings ??= signsRawStrings();
    let payload: unknown = rawBody;
    if (!(await rawStrings)) {
      try {
        payload = JSON.parse(rawBody);
      } catch (cause) {
        throw reject('malformed_payload', 'body is not JSON', cause);
      }
    }
    try {
      return await workos.webhooks.constructEvent({
        payload,
        sigHeader: header,
        secret,
        tolerance: toleranceMs,
      });
    } catch (cause) {
      if (cause instanceof SyntaxError)
        throw reject('malformed_payload', 'body is not JSON', cause);
      if ((cause as Error | undefined)?.name === 'SignatureVerificationException') {
        throw reject('signature_mismatch', 'signature does not match the body', cause);
      }
      throw new OrgkitError('internal', 'WorkOS webhook verification failed', { cause });
    }
  };
}
