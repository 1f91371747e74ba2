import { rejection } from './record-builder.js';
import type { ClerkExportEntry } from './types.js';

/**
 * Remembers the Clerk ids and primary emails of the records accepted so far, and turns a later
 * record with either into a rejection naming the earlier record. Rejected records claim nothing,
 * so a bad row never shadows a good one after it. @internal
 */
export function createDuplicateFilter(): (entry: ClerkExportEntry) => ClerkExportEntry {
  const byId = new Map<string, number>();
  const byEmail = new Map<string, number>();
  return (entry) => {
    if (!entry.ok) return entry;
    const { recordNumber, clerkUserId, primaryEmail } = entry.record;
    const sameId = byId.get(clerkUserId);
    if (sameId !== undefined) {
      return rejection(
        recordNumber,
        clerkUserId,
        'duplicate_id',
        `the same Clerk user id as record ${sameId}`,
      );
    }
    const sameEmail = byEmail.get(primaryEmail);
    if (sameEmail !== undefined) {
      return rejection(
        recordNumber,
        clerkUserId,
        'duplicate_email',
        `the same primary email address as record ${sameEmail}`,
      );
    }
    byId.set(clerkUserId, recordNumber);
    byEmail.set(primaryEmail, recordNumber);
    return entry;
  };
}
