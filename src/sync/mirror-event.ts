import * as z from 'zod';
import { MEMBERSHIP_STATUSES } from '../db/tables.js';
import { MIRRORED_EVENTS } from './types.js';

// Event data as the SDK deserializes it (constructEvent / listEvents): camelCase.
const timestamp = z
  .union([z.string(), z.date()])
  .transform((v) => new Date(v))
  .refine((d) => !Number.isNaN(d.getTime()), 'expected a timestamp');
const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? null);
const slug = z.object({ slug: z.string().min(1) });

const deleted = z.object({ id: z.string().min(1), updatedAt: timestamp });
const user = deleted.extend({
  email: z.string().min(1),
  firstName: optionalText,
  lastName: optionalText,
});
const organization = deleted.extend({ name: z.string(), externalId: optionalText });
const membership = deleted
  .extend({
    userId: z.string().min(1),
    organizationId: z.string().min(1),
    status: z.enum(MEMBERSHIP_STATUSES),
    role: slug.nullish(),
    roles: z.array(slug).nullish(),
  })
  .transform(({ role, roles, ...m }, ctx) => {
    // `roles` (multiple roles) lists every role; older payloads carry only `role`. The mirror's
    // `roles` always holds all of them, the primary included.
    const slugs = [...new Set([...(roles ?? []).map((r) => r.slug), ...(role ? [role.slug] : [])])];
    const primary = role?.slug ?? slugs[0];
    if (!primary) {
      ctx.addIssue({ code: 'custom', message: 'membership without a role' });
      return z.NEVER;
    }
    return { ...m, role: primary, roles: slugs };
  });

// A revoked session: only what its revocation mark needs. An SDK that does not know the event
// hands it over as sent (snake_case).
const session = z.preprocess(
  (data) => {
    if (typeof data !== 'object' || data === null) return data;
    const d = data as Record<string, unknown>;
    return { ...d, userId: d.userId ?? d.user_id, updatedAt: d.updatedAt ?? d.updated_at };
  },
  deleted.extend({ userId: z.string().min(1) }),
);

export type UserData = z.output<typeof user>;
export type SessionData = z.output<typeof session>;
export type OrganizationData = z.output<typeof organization>;
export type MembershipData = z.output<typeof membership>;
export type DeletedData = z.output<typeof deleted>;

/** One event reduced to the change it makes to the mirror. @internal */
export type MirrorChange =
  | { kind: 'user'; op: 'upsert'; data: UserData }
  | { kind: 'organization'; op: 'upsert'; data: OrganizationData }
  | { kind: 'membership'; op: 'upsert'; data: MembershipData }
  | { kind: 'user' | 'organization' | 'membership'; op: 'delete'; data: DeletedData }
  | { kind: 'session'; op: 'revoke'; data: SessionData };

const KIND = {
  user: 'user',
  organization: 'organization',
  organization_membership: 'membership',
} as const;
const UPSERT_SCHEMA = { user, organization, membership } as const;

/** The id and type of an event object, if it has them. @internal */
export function eventHeader(event: unknown): { id: string; event: string } | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const { id, event: type } = event as { id?: unknown; event?: unknown };
  return typeof id === 'string' && typeof type === 'string' ? { id, event: type } : undefined;
}

/**
 * The mirror change an event makes, or undefined for events orgkit does not mirror and for
 * malformed data (a signed or listed event that does not parse is skipped, not retried forever).
 * @internal
 */
export function toMirrorChange(event: unknown): MirrorChange | undefined {
  const header = eventHeader(event);
  if (!header || !(MIRRORED_EVENTS as readonly string[]).includes(header.event)) return undefined;
  if (header.event === 'session.revoked') {
    const parsed = session.safeParse((event as { data?: unknown }).data);
    return parsed.success ? { kind: 'session', op: 'revoke', data: parsed.data } : undefined;
  }
  const [object, action] = header.event.split('.') as [keyof typeof KIND, string];
  const kind = KIND[object];
  const data = (event as { data?: unknown }).data;
  if (action === 'deleted') {
    const parsed = deleted.safeParse(data);
    return parsed.success ? { kind, op: 'delete', data: parsed.data } : undefined;
  }
  const parsed = UPSERT_SCHEMA[kind].safeParse(data);
  return parsed.success ? ({ kind, op: 'upsert', data: parsed.data } as MirrorChange) : undefined;
}

/**
 * The mirror upsert for a user, organization or membership the SDK returned from a call (the
 * same camelCase shape events carry), or undefined when it does not parse.
 * @internal
 */
export function upsertChangeOf(
  kind: 'user' | 'organization' | 'membership',
  object: unknown,
): MirrorChange | undefined {
  const parsed = UPSERT_SCHEMA[kind].safeParse(object);
  return parsed.success ? ({ kind, op: 'upsert', data: parsed.data } as MirrorChange) : undefined;
}
