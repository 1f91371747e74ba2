import { OrgkitError } from '../../errors/index.js';
import type { StepRef } from './log-lines.js';

/**
 * The writes a reviewed plan allows, by plan action: per record `user`, `organization:personal`,
 * `membership:personal`, `membership:mapped:<org external id>`, `factor`; shared mapped
 * organizations (`organization:mapped:<external id>`, made by whichever record gets there first)
 * and roles apart.
 */
export interface PlannedWrites {
  readonly records: ReadonlyMap<string, ReadonlySet<string>>;
  readonly organizations: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
}

/** The plan action of a write a step makes. @internal */
export function actionOf(ref: StepRef): string {
  switch (ref.step) {
    case 'user':
      return 'user';
    case 'organization':
      return ref.org === undefined ? 'organization:personal' : `organization:mapped:${ref.org}`;
    case 'membership':
      return ref.org === undefined ? 'membership:personal' : `membership:mapped:${ref.org}`;
    case 'factor':
      return 'factor';
  }
}

/** Throws `conflict` (`plan_mismatch`) unless the plan allows this write. @internal */
export function checkPlanned(planned: PlannedWrites | undefined, ref: StepRef): void {
  if (!planned) return;
  const action = actionOf(ref);
  const allowed =
    ref.step === 'organization' && ref.org !== undefined
      ? planned.organizations.has(ref.org)
      : (planned.records.get(ref.clerkUserId ?? '')?.has(action) ?? false);
  if (!allowed) {
    throw new OrgkitError(
      'conflict',
      `migration: the plan does not create ${action} for this record; WorkOS changed since the plan was made. Make a new plan`,
      { reason: 'plan_mismatch', details: { action } },
    );
  }
}
