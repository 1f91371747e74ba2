import * as z from 'zod';
import { OrgkitError } from '../../errors/index.js';

const id = z.string().trim().min(1).max(256);

const entrySchema = z.object({
  clerkUserId: id,
  workosUserId: id,
  organizationId: id.nullable(),
});

/** One line of the run's id map (`migration-user-map.json` without the email). */
export interface ClerkIdMapEntry {
  readonly clerkUserId: string;
  readonly workosUserId: string;
  /** Null when the migration made the user no organization (`organizations: 'none'` or `'mapped'`). */
  readonly organizationId: string | null;
}

/**
 * Validates an id map: well-formed ids, one line per Clerk user and per WorkOS user, and no
 * WorkOS id that is also a Clerk id of the map (rewriting in place would then change a row
 * again on the next run).
 * Extra fields (the seed map's `email`) are ignored and not kept.
 * @internal
 */
export function parseIdMap(value: unknown, what: string): ClerkIdMapEntry[] {
  const parsed = z.array(z.unknown()).safeParse(value);
  if (!parsed.success) {
    throw new OrgkitError('invalid_input', `${what}: idMap: expected an array`, {
      details: { key: 'idMap' },
    });
  }
  const entries: ClerkIdMapEntry[] = [];
  const byClerkId = new Map<string, number>();
  for (const [index, raw] of parsed.data.entries()) {
    const result = entrySchema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      const key = ['idMap', index, ...(issue?.path ?? [])].join('.');
      throw new OrgkitError('invalid_input', `${what}: ${key}: ${issue?.message ?? 'invalid'}`, {
        cause: result.error,
        details: { key },
      });
    }
    const entry = result.data;
    if (byClerkId.has(entry.clerkUserId)) {
      throw new OrgkitError(
        'invalid_input',
        `${what}: idMap.${index}: Clerk user ${entry.clerkUserId} is mapped twice (first at idMap.${byClerkId.get(entry.clerkUserId)})`,
        { details: { key: `idMap.${index}.clerkUserId` } },
      );
    }
    byClerkId.set(entry.clerkUserId, index);
    entries.push(entry);
  }
  const byWorkosId = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const first = byWorkosId.get(entry.workosUserId);
    if (first !== undefined) {
      throw new OrgkitError(
        'invalid_input',
        `${what}: idMap.${index}: WorkOS user ${entry.workosUserId} is mapped twice (first at idMap.${first})`,
        { details: { key: `idMap.${index}.workosUserId` } },
      );
    }
    byWorkosId.set(entry.workosUserId, index);
    if (byClerkId.has(entry.workosUserId) && entry.workosUserId !== entry.clerkUserId) {
      throw new OrgkitError(
        'invalid_input',
        `${what}: idMap.${index}: WorkOS user id ${entry.workosUserId} is also a Clerk user id of the map`,
        { details: { key: `idMap.${index}.workosUserId` } },
      );
    }
  }
  return entries;
}
