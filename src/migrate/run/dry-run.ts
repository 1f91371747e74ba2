import { personalExternalId } from '../../guests/workos-steps.js';
import { type CallContext, callWorkOS } from '../../workos-calls/call.js';
import type { ClerkUserRecord } from '../input/types.js';
import { accountClerkFields, type WorkOSMetadataField } from './field-accounting.js';
import type { LogState } from './log-state.js';
import type { MappingPlan } from './mapping-plan.js';
import { mappingUnder, warningsOf } from './migrate-record.js';
import type { OrganizationMode } from './options.js';
import type { MigrationRecordOutcome } from './types.js';
import {
  type MigrationWorkOS,
  membershipOf,
  organizationByExternalId,
  totpFactorOf,
  userByEmail,
  userByExternalId,
} from './workos-api.js';

/** What a dry run needs. @internal */
export interface DryRunDeps {
  readonly call: CallContext;
  readonly workos: MigrationWorkOS;
  readonly state: LogState;
  readonly mappings: MappingPlan;
  readonly organizations: OrganizationMode;
  readonly workosMetadata: readonly WorkOSMetadataField[];
  readonly skipMfa: boolean;
  /** Mapped organizations already counted as a planned create. */
  readonly plannedOrganizations: Set<string>;
}

/**
 * What migrating a record would do, found with reads only: whether its user exists (by
 * external id or email), and for an existing user which of its organization, membership and
 * factor exist. Returns the outcome and the number of writes it would take. @internal
 */
export async function dryRunRecord(
  deps: DryRunDeps,
  record: ClerkUserRecord,
): Promise<{ outcome: MigrationRecordOutcome; writes: number }> {
  const { call, workos } = deps;
  const { recordNumber, clerkUserId } = record;
  const logged = deps.state.records.get(clerkUserId);
  if (logged && logged.outcome !== 'failed') {
    return {
      outcome: {
        status: 'skipped',
        recordNumber,
        clerkUserId,
        code: 'already_migrated',
        reason: `migrated (${logged.outcome}) by an earlier run of this directory`,
      },
      writes: 0,
    };
  }
  const read = <T>(operation: string, fn: () => Promise<T>) =>
    callWorkOS(call, `migration dry run: ${operation}`, fn);
  const user =
    (await read('user', () => userByExternalId(workos, clerkUserId))) ??
    (await read('user', () => userByEmail(workos, record.primaryEmail)));
  const mapped = mappingUnder(deps, clerkUserId).organizations;
  const wantsFactor = record.totpSecret !== undefined && !deps.skipMfa;
  // The creates the record would send, named as plan actions (see plan-writes.ts).
  const actions: string[] = user ? [] : ['user'];
  const organizationIds: string[] = [];
  if (mapped.length === 0 && deps.organizations === 'personal') {
    const org =
      user &&
      (await read('organization', () =>
        organizationByExternalId(workos, personalExternalId(user.id)),
      ));
    if (org) organizationIds.push(org.id);
    const member =
      user && org && (await read('membership', () => membershipOf(workos, user.id, org.id)));
    if (!org) actions.push('organization:personal');
    if (!member) actions.push('membership:personal');
  } else {
    for (const { externalId } of mapped) {
      const org = await read('organization', () => organizationByExternalId(workos, externalId));
      if (org) organizationIds.push(org.id);
      else if (!deps.plannedOrganizations.has(externalId)) {
        deps.plannedOrganizations.add(externalId);
        actions.push(`organization:mapped:${externalId}`);
      }
      const member =
        user && org && (await read('membership', () => membershipOf(workos, user.id, org.id)));
      if (!member) actions.push(`membership:mapped:${externalId}`);
    }
  }
  if (wantsFactor) {
    const factor = user && (await read('factor', () => totpFactorOf(workos, user.id)));
    if (!factor) actions.push('factor');
  }
  return {
    outcome: {
      status: user ? 'matched' : 'created',
      recordNumber,
      clerkUserId,
      ...(user ? { workosUserId: user.id } : {}),
      organizationIds,
      warnings: warningsOf(record),
      fields: accountClerkFields(record, {
        matched: user !== undefined,
        skipMfa: deps.skipMfa,
        metadataFields: deps.workosMetadata,
      }),
      actions,
    },
    writes: actions.length,
  };
}
