import type { Recorder, Telemetry } from '../telemetry/index.js';
import { ATTR, METRIC, SPAN, SPAN_KIND } from '../telemetry/index.js';
import type { RoleRecord } from './role-query.js';

/** The role query as a `db` child span of the resolution that missed the cache. @internal */
export function traceRoleQuery(
  load: (userId: string) => Promise<RoleRecord>,
  telemetry: Telemetry,
): (userId: string) => Promise<RoleRecord> {
  return (userId) => {
    const recorder = telemetry.recorder();
    if (recorder === undefined) return load(userId);
    return recorder.span(
      SPAN.rolesQuery,
      { [ATTR.dbSystem]: 'postgresql', [ATTR.dbOperation]: 'SELECT' },
      () => load(userId),
      SPAN_KIND.client,
    );
  };
}

/**
 * One access resolution in a span: who it was for (as the `ids` option allows), whether the
 * user's roles were cached, and its time in the resolution histogram.
 * @internal
 */
export function traceAccess<S extends { id: string; organizationId?: string | undefined }, A>(
  recorder: Recorder,
  subject: () => S,
  lookUp: (userId: string) => RoleRecord | Promise<RoleRecord>,
  principal: (who: S, record: RoleRecord) => A,
): Promise<A> {
  const startedAt = performance.now();
  return recorder.span(SPAN.accessResolve, undefined, async (span) => {
    const who = subject();
    span.setAttributes(recorder.ids(who.id, who.organizationId));
    const record = lookUp(who.id);
    const hit = !(record instanceof Promise);
    span.setAttribute(ATTR.cacheHit, hit);
    const access = principal(who, await record);
    recorder.seconds(METRIC.accessDuration, startedAt, { [ATTR.cacheHit]: hit });
    return access;
  });
}
