import type { WorkOSClientLike } from '../config/workos-client.js';
import { type CallContext, callWorkOS, findOrCreate, statusOf } from '../workos-calls/call.js';
import type { ParsedGuestInput } from './guest-input.js';

/** The fields of WorkOS objects provisioning reads; the full objects go to the mirror. @internal */
export interface WorkOSObject {
  id: string;
}
interface WorkOSUser extends WorkOSObject {
  email: string;
}

/** @internal */
export const PERSONAL_EXTERNAL_ID_PREFIX = 'personal:';

/** The `externalId` of a guest's personal organization: stable, so it can be looked up. */
export const personalExternalId = (workosUserId: string) =>
  `${PERSONAL_EXTERNAL_ID_PREFIX}${workosUserId}`;

/** The idempotency key of a personal organization's create, the same from every flow. @internal */
export const personalOrganizationIdempotencyKey = (workosUserId: string) =>
  `orgkit-personal-organization-${workosUserId}`;

/** The personal organization's default name; the Clerk migration names it the same way. @internal */
export const defaultOrganizationName = (guest: { firstName?: string; lastName?: string }) => {
  const name = [guest.firstName, guest.lastName].filter(Boolean).join(' ');
  return name ? `${name} (personal)` : 'Personal organization';
};

/**
 * Request options that stop the WorkOS SDK (10.8+) from resending a request on its own, where a
 * method takes request options. orgkit's writes are retried by orgkit, which looks up before it
 * repeats a create. `createUser` and `createOrganizationMembership` take none: the SDK may resend
 * them after a lost answer, which is harmless because WorkOS refuses a second user with the same
 * email and a second membership of a user in an organization (409), and orgkit answers a 409
 * with a look-up.
 * @internal
 */
export const WITHOUT_SDK_RETRIES = { maxRetries: 0 } as const;

const firstOf = <T>(page: { data?: T[] } | undefined): T[] => page?.data ?? [];

/** The WorkOS user with this (normalised) email, created with `emailVerified: false` if none. @internal */
export function ensureUser(ctx: CallContext, workos: WorkOSClientLike, guest: ParsedGuestInput) {
  const um = workos.userManagement;
  return findOrCreate<WorkOSUser>(ctx, {
    operation: 'createOrGetGuestUser: user',
    knownAbsent: false,
    // A user created outside orgkit may have kept the capitals it was typed with.
    find: async () =>
      firstOf<WorkOSUser>(await um.listUsers({ email: guest.email })).find(
        (user) => user.email.trim().toLowerCase() === guest.email,
      ),
    create: () =>
      um.createUser({
        email: guest.email,
        emailVerified: false,
        ...(guest.firstName ? { firstName: guest.firstName } : {}),
        ...(guest.lastName ? { lastName: guest.lastName } : {}),
        ...(guest.metadata ? { metadata: guest.metadata } : {}),
      }),
  });
}

/** The guest's personal organization, found by its `externalId` or created. @internal */
export function ensureOrganization(
  ctx: CallContext,
  workos: WorkOSClientLike,
  workosUserId: string,
  name: string,
  userJustCreated: boolean,
) {
  const externalId = personalExternalId(workosUserId);
  return findOrCreate<WorkOSObject>(ctx, {
    operation: 'createOrGetGuestUser: organization',
    knownAbsent: userJustCreated,
    find: async () => {
      try {
        return await workos.organizations.getOrganizationByExternalId(externalId);
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    // WorkOS honours the key for 24 h, so a create retried after a lost answer returns the same
    // organization; the look-up before every retry covers servers that ignore it. That look-up is
    // orgkit's, so the SDK (10.8+) must not resend the create itself: a server that ignores the key
    // (the emulator) would make a second organization, since nothing else refuses a duplicate
    // `externalId` there. Older SDKs ignore the option and never resend a POST.
    create: () =>
      workos.organizations.createOrganization(
        { name, externalId },
        {
          idempotencyKey: personalOrganizationIdempotencyKey(workosUserId),
          ...WITHOUT_SDK_RETRIES,
        },
      ),
  });
}

/** The guest's membership of their personal organization, created with the owner role. @internal */
export function ensureMembership(
  ctx: CallContext,
  workos: WorkOSClientLike,
  ids: { workosUserId: string; organizationId: string },
  roleSlug: string,
  organizationJustCreated: boolean,
) {
  const um = workos.userManagement;
  const { workosUserId: userId, organizationId } = ids;
  return findOrCreate<WorkOSObject>(ctx, {
    operation: 'createOrGetGuestUser: membership',
    knownAbsent: organizationJustCreated,
    find: async () =>
      firstOf<WorkOSObject & { userId: string }>(
        await um.listOrganizationMemberships({ userId, organizationId }),
      ).find((m) => m.userId === userId),
    create: () => um.createOrganizationMembership({ userId, organizationId, roleSlug }),
  });
}

/** Sends a magic-auth code. A retry after a lost answer may send a second one, never none. @internal */
export function sendMagicAuth(ctx: CallContext, workos: WorkOSClientLike, email: string) {
  return callWorkOS(ctx, 'createOrGetGuestUser: magic auth', () =>
    workos.userManagement.createMagicAuth({ email }),
  );
}
