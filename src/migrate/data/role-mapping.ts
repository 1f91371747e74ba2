import * as z from 'zod';
import { OrgkitError } from '../../errors/index.js';
import type { AccessControl } from '../../roles/index.js';
import type { ClerkMetadataWarning } from './metadata-warnings.js';

/** How Clerk's `public_metadata.role` (one name or a list) becomes the app role in `users.role`. */
export interface ClerkRoleMapping {
  /**
   * Clerk role names and the app role each becomes, strongest first: a user whose metadata lists
   * several gets the first rule that matches. Names are compared exactly.
   */
  readonly rules: readonly { readonly clerkRole: string; readonly appRole: string }[];
  /** The app role of a user whose metadata names no role, or none of the rules' roles. */
  readonly otherwise: string;
}

/**
 * The seed's mapping (seed 3.6): `top_expert` → `expert_top`, else `admin` → `admin`, else `user`.
 * A Clerk role it does not list is reported (`unmapped_role`) and the user gets `user`.
 *
 * @example
 * ```ts
 * const roleMapping = {
 *   rules: [...SEED_CLERK_ROLE_MAPPING.rules, { clerkRole: 'community_expert', appRole: 'expert_community' }],
 *   otherwise: 'user',
 * }
 * createClerkMetadataImporter({ database: db, roleMapping })
 * ```
 */
export const SEED_CLERK_ROLE_MAPPING: ClerkRoleMapping = Object.freeze({
  rules: Object.freeze([
    Object.freeze({ clerkRole: 'top_expert', appRole: 'expert_top' }),
    Object.freeze({ clerkRole: 'admin', appRole: 'admin' }),
  ]),
  otherwise: 'user',
});

const name = z.string().min(1).max(128);
const mappingSchema = z.strictObject({
  rules: z.array(z.strictObject({ clerkRole: name, appRole: name })),
  otherwise: name,
});

/** Validates a mapping against the app's roles; mistakes are `invalid_config`. @internal */
export function parseRoleMapping(
  value: unknown,
  accessControl: AccessControl,
  what: string,
): ClerkRoleMapping {
  const parsed = mappingSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = ['roleMapping', ...(issue?.path ?? [])].join('.');
    throw new OrgkitError('invalid_config', `${what}: ${key}: ${issue?.message ?? 'invalid'}`, {
      cause: parsed.error,
    });
  }
  const mapping = parsed.data;
  const targets = [
    ...mapping.rules.map((r, i) => [`roleMapping.rules.${i}.appRole`, r.appRole] as const),
    ['roleMapping.otherwise', mapping.otherwise] as const,
  ];
  for (const [key, role] of targets) {
    if (!accessControl.isAppRole(role)) {
      throw new OrgkitError(
        'invalid_config',
        `${what}: ${key}: "${role}" is not an app role of accessControl`,
      );
    }
  }
  return mapping;
}

// Role names are the app's vocabulary, not personal data, so a warning may name one; anything
// else in the field is described, not quoted.
const PRINTABLE_ROLE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The app role `public_metadata.role` maps to, with a warning for each name no rule knows. @internal */
export function mapClerkRole(
  publicMetadata: Readonly<Record<string, unknown>> | undefined,
  mapping: ClerkRoleMapping,
): { role: string | undefined; warnings: ClerkMetadataWarning[] } {
  const field = 'public_metadata.role';
  const raw = publicMetadata?.role;
  if (raw === undefined || raw === null) return { role: mapping.otherwise, warnings: [] };
  const names = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string')) {
    // The user's role is unknown: keeping `users.role` as it is beats guessing one.
    return {
      role: undefined,
      warnings: [{ code: 'invalid_role', field, reason: 'expected a role name or a list of them' }],
    };
  }
  const warnings: ClerkMetadataWarning[] = [];
  for (const n of new Set(names)) {
    if (mapping.rules.some((r) => r.clerkRole === n)) continue;
    warnings.push({
      code: 'unmapped_role',
      field,
      reason: PRINTABLE_ROLE.test(n)
        ? `no rule maps Clerk role "${n}"; the user gets "${mapping.otherwise}"`
        : `no rule maps a Clerk role of this user; the user gets "${mapping.otherwise}"`,
    });
  }
  const rule = mapping.rules.find((r) => names.includes(r.clerkRole));
  return { role: rule?.appRole ?? mapping.otherwise, warnings };
}
