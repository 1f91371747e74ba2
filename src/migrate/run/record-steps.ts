import { createHash } from 'node:crypto';
import {
  personalExternalId,
  personalOrganizationIdempotencyKey,
  WITHOUT_SDK_RETRIES,
} from '../../guests/workos-steps.js';
import { classifyPasswordDigest } from '../input/password-digest.js';
import type { ClerkUserRecord } from '../input/types.js';
import { ensureLogged, type StepContext, type StepResult } from './logged-step.js';
import {
  enrollTotp,
  type MigrationWorkOS,
  membershipOf,
  organizationByExternalId,
  totpFactorOf,
  userByEmail,
  userByExternalId,
} from './workos-api.js';

/** The user step: matched by external id (the Clerk id) or email, else created. @internal */
export function ensureMigratedUser(
  ctx: StepContext,
  workos: MigrationWorkOS,
  record: ClerkUserRecord,
  metadata: Readonly<Record<string, string>> = {},
): Promise<StepResult> {
  const { clerkUserId, primaryEmail: email } = record;
  const password = record.password && classifyPasswordDigest(record.password);
  return ensureLogged(
    ctx,
    { step: 'user', clerkUserId },
    {
      operation: 'migration: user',
      knownAbsent: false,
      findExisting: async () =>
        (await userByExternalId(workos, clerkUserId)) ?? (await userByEmail(workos, email)),
      findOwn: () => userByExternalId(workos, clerkUserId),
      create: () =>
        workos.userManagement.createUser({
          email,
          // Only where Clerk verified the address: an unverified one must not become a verified
          // WorkOS identity.
          emailVerified: record.primaryEmailVerified,
          externalId: clerkUserId,
          ...(record.firstName ? { firstName: record.firstName } : {}),
          ...(record.lastName ? { lastName: record.lastName } : {}),
          ...(password?.importable
            ? { passwordHash: password.passwordHash, passwordHashType: password.passwordHashType }
            : {}),
          ...(Object.keys(metadata).length > 0 ? { metadata: { ...metadata } } : {}),
        }),
    },
  );
}

/** The user's personal organization, with the guest flow's external id and idempotency key. @internal */
export function ensurePersonalOrganization(
  ctx: StepContext,
  workos: MigrationWorkOS,
  clerkUserId: string,
  user: { id: string; justCreated: boolean },
  name: string,
): Promise<StepResult> {
  const externalId = personalExternalId(user.id);
  const find = () => organizationByExternalId(workos, externalId);
  return ensureLogged(
    ctx,
    { step: 'organization', clerkUserId },
    {
      operation: 'migration: personal organization',
      knownAbsent: user.justCreated,
      findExisting: find,
      findOwn: find,
      create: () =>
        workos.organizations.createOrganization(
          { name, externalId },
          { idempotencyKey: personalOrganizationIdempotencyKey(user.id), ...WITHOUT_SDK_RETRIES },
        ),
    },
  );
}

/** A mapped organization, by its external id; shared by every record that names it. @internal */
export function ensureMappedOrganization(
  ctx: StepContext,
  workos: MigrationWorkOS,
  externalId: string,
  name: string,
): Promise<StepResult> {
  const find = () => organizationByExternalId(workos, externalId);
  const keyHash = createHash('sha256').update(externalId).digest('hex').slice(0, 40);
  return ensureLogged(
    ctx,
    { step: 'organization', org: externalId },
    {
      operation: 'migration: organization',
      knownAbsent: false,
      findExisting: find,
      findOwn: find,
      create: () =>
        workos.organizations.createOrganization(
          { name, externalId },
          { idempotencyKey: `orgkit-migrate-organization-${keyHash}`, ...WITHOUT_SDK_RETRIES },
        ),
    },
  );
}

/** A membership of one of the user's organizations (`org` undefined: the personal one). @internal */
export function ensureMigratedMembership(
  ctx: StepContext,
  workos: MigrationWorkOS,
  ids: { clerkUserId: string; org: string | undefined; userId: string; organizationId: string },
  roleSlugs: readonly string[],
  organizationJustCreated: boolean,
): Promise<StepResult> {
  const { userId, organizationId } = ids;
  const find = () => membershipOf(workos, userId, organizationId);
  const roles = roleSlugs.length === 1 ? { roleSlug: roleSlugs[0] } : { roleSlugs: [...roleSlugs] };
  return ensureLogged(
    ctx,
    { step: 'membership', clerkUserId: ids.clerkUserId, org: ids.org },
    {
      operation: 'migration: membership',
      knownAbsent: organizationJustCreated,
      findExisting: find,
      findOwn: find,
      create: () =>
        workos.userManagement.createOrganizationMembership({ userId, organizationId, ...roles }),
    },
  );
}

/**
 * The user's TOTP factor, enrolled with the secret from Clerk so the authenticator app the user
 * already has keeps working. A user who has a TOTP factor in WorkOS keeps it. @internal
 */
export function ensureTotpFactor(
  ctx: StepContext,
  workos: MigrationWorkOS,
  record: ClerkUserRecord,
  user: { id: string; justCreated: boolean },
  issuer: string | undefined,
): Promise<StepResult> {
  const find = () => totpFactorOf(workos, user.id);
  return ensureLogged(
    ctx,
    { step: 'factor', clerkUserId: record.clerkUserId },
    {
      operation: 'migration: TOTP factor',
      knownAbsent: user.justCreated,
      findExisting: find,
      findOwn: find,
      create: () =>
        enrollTotp(workos, {
          userId: user.id,
          totpSecret: record.totpSecret!.reveal(),
          totpUser: record.primaryEmail,
          ...(issuer ? { totpIssuer: issuer } : {}),
        }),
    },
  );
}
