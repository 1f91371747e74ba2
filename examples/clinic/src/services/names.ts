import { inArray } from 'drizzle-orm';
import { type OrgkitDatabase, users } from 'orgkit/drizzle';

/**
 * `{ [workosUserId]: "First Last <email>" }` from the WorkOS mirror, read as the service role,
 * so the access report and the review list name people rather than show their ids.
 */
export async function namesOf(
  db: OrgkitDatabase,
  ids: Iterable<string | null | undefined>,
): Promise<Record<string, string>> {
  const wanted = [...new Set([...ids].filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return {};
  const rows = await db
    .select({
      id: users.workosUserId,
      email: users.email,
      firstName: users.firstName,
      lastName: users.lastName,
    })
    .from(users)
    .where(inArray(users.workosUserId, wanted));
  return Object.fromEntries(
    rows.map((r) => [r.id, `${[r.firstName, r.lastName].filter(Boolean).join(' ')} <${r.email}>`]),
  );
}
