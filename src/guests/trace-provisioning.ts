import { isOrgkitError } from '../errors/index.js';
import { ATTR, METRIC, SPAN, type Telemetry } from '../telemetry/index.js';
import type { GuestUser } from './types.js';

/**
 * One guest provisioning in a span, counted by result: `created`, `returning`, `rate_limited`
 * (refused by a limit), or `failed`. The guest's email and names are never recorded; the WorkOS
 * calls inside are child spans (see `src/workos-calls/`).
 * @internal
 */
export function traceProvisioning(
  telemetry: Telemetry | undefined,
  provision: () => Promise<GuestUser>,
): Promise<GuestUser> {
  const recorder = telemetry?.recorder();
  if (recorder === undefined) return provision();
  return recorder.span(SPAN.guestProvision, undefined, async (span) => {
    let result = 'failed';
    try {
      const guest = await provision();
      result = guest.created ? 'created' : 'returning';
      span.setAttributes(recorder.ids(guest.workosUserId, guest.organizationId));
      return guest;
    } catch (error) {
      if (isOrgkitError(error) && error.code === 'rate_limited') result = 'rate_limited';
      throw error;
    } finally {
      span.setAttribute(ATTR.result, result);
      recorder.count(METRIC.guestProvisionings, { [ATTR.result]: result });
    }
  });
}
