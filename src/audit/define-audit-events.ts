import * as z from 'zod/mini';
import { OrgkitError, safeParse } from '../errors/index.js';
import {
  ORGKIT_ACCESS_ACTIONS,
  ORGKIT_AUDIT_ACTIONS,
  type OrgkitAuditAction,
  type OrgkitAuditResourceType,
} from './actions.js';

/** Action and resource-type names: letters, digits and `_ . : -`, starting with a letter. */
export const AUDIT_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;

/**
 * The app's audit vocabulary. With it, `logAuditEvent` accepts only these names (and orgkit's
 * own), at compile time and at run time; without it, any well-formed name.
 */
export interface AuditEvents<A extends string = string, R extends string = string> {
  readonly actions: readonly A[];
  readonly resourceTypes: readonly R[];
  /** True for a name the app declared or one of orgkit's own. @internal */
  isAction(name: string): boolean;
  /** @internal */
  isResourceType(name: string): boolean;
}

/** The untyped vocabulary used when the app declares none. */
export type OpenAuditEvents = AuditEvents<string, string>;

/** Actions `logAuditEvent` accepts for a vocabulary. */
export type AuditActionOf<E> =
  E extends AuditEvents<infer A, string> ? A | OrgkitAuditAction : string;

/** Resource types `logAuditEvent` accepts for a vocabulary. */
export type AuditResourceTypeOf<E> =
  E extends AuditEvents<string, infer R> ? R | OrgkitAuditResourceType : string;

const namesSchema = z
  .array(
    z
      .string()
      .check(
        z.regex(AUDIT_NAME_PATTERN, 'use letters, digits and _ . : -, starting with a letter'),
      ),
  )
  .check(
    z.minLength(1),
    z.refine((names) => new Set(names).size === names.length, 'names must be unique'),
  );

function parseNames(names: unknown, key: string): string[] {
  const parsed = safeParse(namesSchema, names);
  if (!parsed.success) {
    throw new OrgkitError(
      'invalid_config',
      `defineAuditEvents: ${key}: ${parsed.error.issues[0]?.message ?? 'invalid names'}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/**
 * Declares the actions and resource types the app logs, so a misspelled one does not compile.
 *
 * @example
 * ```ts
 * const auditEvents = defineAuditEvents({
 *   actions: ['meeting.booked', 'meeting.cancelled', 'patient_record.viewed'],
 *   resourceTypes: ['meeting', 'patient_record'],
 * })
 * const orgkit = createOrgkit({ database, audit: { events: auditEvents } })
 * await orgkit.logAuditEvent('meeting.booked', 'meeting', meeting.id)
 * // await orgkit.logAuditEvent('meeting.boked', 'meeting', meeting.id) // does not compile
 * ```
 */
export function defineAuditEvents<const A extends string, const R extends string>(definition: {
  actions: readonly A[];
  resourceTypes: readonly R[];
}): AuditEvents<A, R> {
  const actions = parseNames(definition?.actions, 'actions') as A[];
  const resourceTypes = parseNames(definition?.resourceTypes, 'resourceTypes') as R[];
  const actionSet = new Set<string>([
    ...actions,
    ...Object.keys(ORGKIT_AUDIT_ACTIONS),
    ...ORGKIT_ACCESS_ACTIONS,
  ]);
  const typeSet = new Set<string>([...resourceTypes, ...Object.values(ORGKIT_AUDIT_ACTIONS)]);
  return Object.freeze({
    actions: Object.freeze(actions),
    resourceTypes: Object.freeze(resourceTypes),
    isAction: (name: string) => actionSet.has(name),
    isResourceType: (name: string) => typeSet.has(name),
  });
}

/** The vocabulary that accepts every well-formed name. @internal */
export const openAuditEvents: OpenAuditEvents = Object.freeze({
  actions: Object.freeze([]) as readonly string[],
  resourceTypes: Object.freeze([]) as readonly string[],
  isAction: (name: string) => AUDIT_NAME_PATTERN.test(name),
  isResourceType: (name: string) => AUDIT_NAME_PATTERN.test(name),
});
