import { statusOf } from '../../workos-calls/call.js';

/**
 * The parts of a `@workos-inc/node` client (majors 9–11) the migration calls, typed loosely as
 * `WorkOSClientLike` is: option and result shapes move between majors. @internal
 */
export interface MigrationWorkOS {
  userManagement: { [method: string]: any };
  organizations: { [method: string]: any };
  multiFactorAuth?: { [method: string]: any };
}

interface Identified {
  id: string;
}
interface Factor extends Identified {
  type?: string;
}

const firstPage = <T>(page: { data?: T[] } | undefined): T[] => page?.data ?? [];

/** Resolves undefined for a 404, the answer of every look-up by id that finds nothing. */
async function orUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** @internal */
export const userByExternalId = (workos: MigrationWorkOS, externalId: string) =>
  orUndefined<Identified>(() => workos.userManagement.getUserByExternalId(externalId));

/** A user with this (normalised) email; WorkOS may have kept the capitals it was typed with. @internal */
export async function userByEmail(workos: MigrationWorkOS, email: string) {
  const users = firstPage<Identified & { email: string }>(
    await workos.userManagement.listUsers({ email }),
  );
  return users.find((u) => u.email.trim().toLowerCase() === email);
}

/** @internal */
export const organizationByExternalId = (workos: MigrationWorkOS, externalId: string) =>
  orUndefined<Identified>(() => workos.organizations.getOrganizationByExternalId(externalId));

/** @internal */
export async function membershipOf(
  workos: MigrationWorkOS,
  userId: string,
  organizationId: string,
): Promise<Identified | undefined> {
  const page = await workos.userManagement.listOrganizationMemberships({ userId, organizationId });
  return firstPage<Identified & { userId: string; organizationId?: string }>(page).find(
    (m) => m.userId === userId && (m.organizationId ?? organizationId) === organizationId,
  );
}

/** The user's TOTP factor. SDK 9–10 list factors on `userManagement`, 11 on `multiFactorAuth`. @internal */
export async function totpFactorOf(workos: MigrationWorkOS, userId: string) {
  const um = workos.userManagement;
  const page =
    typeof um.listAuthFactors === 'function'
      ? await um.listAuthFactors({ userId })
      : await workos.multiFactorAuth!.listUserAuthFactors({ userId });
  return firstPage<Factor>(page).find((f) => f.type === 'totp');
}

/** Enrolls a TOTP factor with the given secret; resolves the factor's id. @internal */
export async function enrollTotp(
  workos: MigrationWorkOS,
  payload: { userId: string; totpSecret: string; totpIssuer?: string; totpUser?: string },
): Promise<Identified> {
  const um = workos.userManagement;
  const answer =
    typeof um.enrollAuthFactor === 'function'
      ? await um.enrollAuthFactor({ type: 'totp', ...payload })
      : await workos.multiFactorAuth!.createUserAuthFactor({ type: 'totp', ...payload });
  return answer.authenticationFactor as Identified;
}

/** @internal */
export const deleteFactor = (workos: MigrationWorkOS, id: string) =>
  workos.multiFactorAuth!.deleteFactor(id) as Promise<void>;

/** The request id WorkOS gave a failed call, found on the SDK exception in the cause chain. @internal */
export function requestIdOf(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const id = (current as { requestID?: unknown }).requestID;
    if (typeof id === 'string' && id !== '') return id;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The environment's role slugs, or undefined when this SDK major or environment cannot list
 * them (`authorization.listEnvironmentRoles` is SDK 10+). @internal
 */
export async function environmentRoleSlugs(
  workos: MigrationWorkOS,
): Promise<Set<string> | undefined> {
  const authorization = (workos as { authorization?: { [method: string]: any } }).authorization;
  if (typeof authorization?.listEnvironmentRoles !== 'function') return undefined;
  const list = await authorization.listEnvironmentRoles();
  return new Set(firstPage<{ slug: string }>(list).map((r) => r.slug));
}
