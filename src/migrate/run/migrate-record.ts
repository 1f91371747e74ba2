import { isOrgkitError, type OrgkitError } from '../../errors/index.js';
import { classifyPasswordDigest } from '../input/password-digest.js';
import type { ClerkUserRecord } from '../input/types.js';
import {
  accountClerkFields,
  type WorkOSMetadataField,
  workosMetadataOf,
} from './field-accounting.js';
import type { StepContext, StepResult } from './logged-step.js';
import type { MappingPlan, UserMapping } from './mapping-plan.js';
import type { OrganizationMode } from './options.js';
import {
  ensureMappedOrganization,
  ensureMigratedMembership,
  ensureMigratedUser,
  ensurePersonalOrganization,
  ensureTotpFactor,
} from './record-steps.js';
import type {
  MigrationRecordOutcome,
  MigrationWarning,
  RunClerkMigrationOptions,
} from './types.js';
import { type MigrationWorkOS, requestIdOf } from './workos-api.js';

/** What migrating a record needs besides the record. @internal */
export interface RecordDeps {
  readonly ctx: StepContext;
  readonly workos: MigrationWorkOS;
  readonly mappings: MappingPlan;
  readonly organizations: OrganizationMode;
  readonly workosMetadata: readonly WorkOSMetadataField[];
  readonly ownerRole: string;
  readonly memberRole: string;
  readonly skipMfa: boolean;
  readonly totpIssuer: string | undefined;
  readonly organizationName: NonNullable<RunClerkMigrationOptions['organizationName']>;
  /** Mapped organizations being ensured, so records naming the same one share one create. */
  readonly mappedInFlight: Map<string, Promise<StepResult>>;
}

/** What did not move over with an accepted record. @internal */
export function warningsOf(record: ClerkUserRecord): MigrationWarning[] {
  const warnings: MigrationWarning[] = record.warnings.map((w) => ({
    code: w.code,
    reason:
      w.code === 'backup_codes_not_importable'
        ? 'the user has Clerk backup codes, which WorkOS cannot import: they must set up recovery again'
        : `the ${w.field} field had a value that was left out`,
  }));
  const password = record.password && classifyPasswordDigest(record.password);
  if (password && !password.importable) {
    warnings.push({ code: `password_not_imported:${password.code}`, reason: password.reason });
  }
  return warnings;
}

const NO_MAPPING: UserMapping = { organizations: [], roleSlugs: [] };

/** The user's organizations under the run's mode: `none` ignores any mapping. @internal */
export function mappingUnder(
  deps: Pick<RecordDeps, 'mappings' | 'organizations'>,
  clerkUserId: string,
) {
  return deps.organizations === 'none' ? NO_MAPPING : deps.mappings.forUser(clerkUserId);
}

function sharedMappedOrganization(
  deps: RecordDeps,
  ctx: StepContext,
  externalId: string,
  name: string,
) {
  let flight = deps.mappedInFlight.get(externalId);
  if (!flight) {
    flight = ensureMappedOrganization(ctx, deps.workos, externalId, name);
    // A failure is not cached: the next record naming the organization tries again.
    flight.catch(() => deps.mappedInFlight.delete(externalId));
    deps.mappedInFlight.set(externalId, flight);
  }
  return flight;
}

async function migrateSteps(deps: RecordDeps, ctx: StepContext, record: ClerkUserRecord) {
  const { workos } = deps;
  const { clerkUserId } = record;
  const { metadata } = workosMetadataOf(record, deps.workosMetadata);
  const userStep = await ensureMigratedUser(ctx, workos, record, metadata);
  const user = { id: userStep.id, justCreated: userStep.justCreated };
  const mapping = mappingUnder(deps, clerkUserId);
  const organizationIds: string[] = [];
  if (mapping.organizations.length === 0 && deps.organizations === 'personal') {
    const name = deps.organizationName({
      workosUserId: user.id,
      ...(record.firstName ? { firstName: record.firstName } : {}),
      ...(record.lastName ? { lastName: record.lastName } : {}),
    });
    const org = await ensurePersonalOrganization(ctx, workos, clerkUserId, user, name);
    const ids = { clerkUserId, org: undefined, userId: user.id, organizationId: org.id };
    await ensureMigratedMembership(ctx, workos, ids, [deps.ownerRole], org.justCreated);
    organizationIds.push(org.id);
  } else if (mapping.organizations.length > 0) {
    const roles = mapping.roleSlugs.length > 0 ? mapping.roleSlugs : [deps.memberRole];
    for (const mapped of mapping.organizations) {
      const org = await sharedMappedOrganization(deps, ctx, mapped.externalId, mapped.name);
      const ids = { clerkUserId, org: mapped.externalId, userId: user.id, organizationId: org.id };
      await ensureMigratedMembership(ctx, workos, ids, roles, false);
      organizationIds.push(org.id);
    }
  }
  if (record.totpSecret && !deps.skipMfa) {
    await ensureTotpFactor(ctx, workos, record, user, deps.totpIssuer);
  }
  return { user: userStep, organizationIds };
}

/**
 * Migrates one record: user, organizations, memberships, TOTP factor, then its outcome line.
 * A record whose outcome is logged is skipped. A step WorkOS keeps refusing fails the record,
 * not the run; a refused API key (`invalid_config`) or a log that cannot be written stops it.
 * @internal
 */
export async function migrateRecord(
  deps: RecordDeps,
  record: ClerkUserRecord,
): Promise<MigrationRecordOutcome> {
  const { recordNumber, clerkUserId } = record;
  const logged = deps.ctx.state.records.get(clerkUserId);
  if (logged && logged.outcome !== 'failed') {
    return {
      status: 'skipped',
      recordNumber,
      clerkUserId,
      code: 'already_migrated',
      reason: `migrated (${logged.outcome}) by an earlier run of this directory`,
    };
  }
  const actions: string[] = [];
  const ctx: StepContext = { ...deps.ctx, onCreate: (action) => actions.push(action) };
  try {
    const { user, organizationIds } = await migrateSteps(deps, ctx, record);
    const status = user.created ? 'created' : 'matched';
    const line = { t: 'record', clerkUserId, recordNumber, outcome: status } as const;
    await deps.ctx.log.append(line);
    deps.ctx.state.apply(line);
    return {
      status,
      recordNumber,
      clerkUserId,
      workosUserId: user.id,
      organizationIds,
      warnings: warningsOf(record),
      fields: accountClerkFields(record, {
        matched: !user.created,
        skipMfa: deps.skipMfa,
        metadataFields: deps.workosMetadata,
      }),
      actions,
    };
  } catch (error) {
    if (!isOrgkitError(error) || error.code === 'invalid_config') throw error;
    return failRecord(deps, record, error);
  }
}

async function failRecord(
  deps: RecordDeps,
  record: ClerkUserRecord,
  error: OrgkitError,
): Promise<MigrationRecordOutcome> {
  const { recordNumber, clerkUserId } = record;
  const code = error.reason ? `${error.code}:${error.reason}` : error.code;
  const workosRequestId = requestIdOf(error);
  const line = {
    t: 'record',
    clerkUserId,
    recordNumber,
    outcome: 'failed',
    code,
    ...(workosRequestId ? { requestId: workosRequestId } : {}),
  } as const;
  await deps.ctx.log.append(line);
  deps.ctx.state.apply(line);
  return {
    status: 'failed',
    recordNumber,
    clerkUserId,
    code,
    // The message names the operation and the kind of failure, never a value of the record.
    reason: error.message,
    ...(workosRequestId ? { workosRequestId } : {}),
  };
}
