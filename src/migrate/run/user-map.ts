import type { LogState } from './log-state.js';
import { type RunPaths, writeFileAtomically } from './run-files.js';

/** One entry of `migration-user-map.json`, in the seed's shape. */
export interface MigrationUserMapEntry {
  readonly clerkUserId: string;
  readonly workosUserId: string;
  /** Null when the run gave the user no organization (`organizations` `none`, or `mapped` and not in the mapping). */
  readonly organizationId: string | null;
  readonly email: string;
}

/**
 * Writes `migration-user-map.json` from the log, for every record whose outcome is logged as
 * created or matched. The email comes from the input (the log holds ids only).
 * @internal
 */
export async function writeUserMap(
  paths: RunPaths,
  state: LogState,
  /** `firstOrg`: the first mapped organization's external id, undefined for the personal one, null for none. */
  users: readonly { clerkUserId: string; email: string; firstOrg: string | undefined | null }[],
): Promise<number> {
  const entries: MigrationUserMapEntry[] = [];
  for (const { clerkUserId, email, firstOrg } of users) {
    const outcome = state.records.get(clerkUserId)?.outcome;
    if (outcome !== 'created' && outcome !== 'matched') continue;
    const user = state.get({ step: 'user', clerkUserId })?.done;
    const org =
      firstOrg === null
        ? null
        : (firstOrg === undefined
            ? state.get({ step: 'organization', clerkUserId })
            : state.get({ step: 'organization', org: firstOrg })
          )?.done;
    if (user && org !== undefined) {
      entries.push({ clerkUserId, workosUserId: user.id, organizationId: org?.id ?? null, email });
    }
  }
  await writeFileAtomically(paths.dir, paths.userMap, `${JSON.stringify(entries, null, 2)}\n`);
  return entries.length;
}
