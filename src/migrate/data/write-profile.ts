import { eq, sql } from 'drizzle-orm';
import { stableStringify } from '../../audit/json-value.js';
import type { OrgkitDatabase } from '../../db/database.js';
import type { OrgkitTables } from '../../db/tables.js';
import type { ClerkUserRecord } from '../input/types.js';

/** The profile columns of one Clerk user, as the importer writes them. @internal */
export interface ClerkProfileValues {
  clerkUserId: string;
  username: string | null;
  primaryPhoneNumber: string | null;
  verifiedPhoneNumbers: string[];
  unverifiedPhoneNumbers: string[];
  verifiedEmailAddresses: string[];
  unverifiedEmailAddresses: string[];
  publicMetadata: Record<string, unknown> | null;
  unsafeMetadata: Record<string, unknown> | null;
  privateMetadata: Record<string, unknown> | null;
  other: Record<string, unknown> | null;
}

/** The record's profile fields: everything WorkOS has no field for, secrets excepted. @internal */
export function profileOf(record: ClerkUserRecord): ClerkProfileValues {
  return {
    clerkUserId: record.clerkUserId,
    username: record.username ?? null,
    primaryPhoneNumber: record.primaryPhone ?? null,
    verifiedPhoneNumbers: [...record.verifiedPhones],
    unverifiedPhoneNumbers: [...record.unverifiedPhones],
    verifiedEmailAddresses: [...record.verifiedEmails],
    unverifiedEmailAddresses: [...record.unverifiedEmails],
    publicMetadata: record.publicMetadata ?? null,
    unsafeMetadata: record.unsafeMetadata ?? null,
    privateMetadata: record.privateMetadata ?? null,
    other: record.otherFields ?? null,
  };
}

const same = (a: unknown, b: unknown) =>
  stableStringify((a ?? null) as never) === stableStringify((b ?? null) as never);

/**
 * Writes the user's profile row when it differs from what is stored (so a second apply writes
 * nothing); says whether the row is new and whether anything was written. @internal
 */
export async function writeProfile(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  workosUserId: string,
  values: ClerkProfileValues,
): Promise<{ created: boolean; written: boolean }> {
  const p = tables.clerkProfiles;
  const [stored] = await tx.select().from(p).where(eq(p.workosUserId, workosUserId)).for('update');
  if (!stored) {
    await tx.insert(p).values({ workosUserId, ...values });
    return { created: true, written: true };
  }
  const differs = (Object.keys(values) as (keyof ClerkProfileValues)[]).some(
    (key) => !same(stored[key], values[key]),
  );
  if (!differs) return { created: false, written: false };
  await tx
    .update(p)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(p.workosUserId, workosUserId));
  return { created: false, written: true };
}
