import { type ClerkFieldCounts, countFields } from './field-accounting.js';
import type { OrganizationMode } from './options.js';
import type { MigrationRecordOutcome, MigrationSummary } from './types.js';

/** Collects record outcomes into a {@link MigrationSummary}, in input order. @internal */
export function createSummary(onRecord: ((o: MigrationRecordOutcome) => void) | undefined) {
  const outcomes: MigrationRecordOutcome[] = [];
  const fields: ClerkFieldCounts = {};
  return {
    add(outcome: MigrationRecordOutcome) {
      outcomes.push(outcome);
      if (outcome.status === 'created' || outcome.status === 'matched') {
        countFields(fields, outcome.fields);
      }
      onRecord?.(outcome);
    },
    finish(extra: {
      dryRun: boolean;
      interrupted: boolean;
      writes: number;
      organizations: OrganizationMode;
      createdRoles: readonly string[];
      missingRoles?: readonly string[];
      userMapPath?: string;
    }): MigrationSummary {
      const sorted = [...outcomes].sort((a, b) => a.recordNumber - b.recordNumber);
      const counts = { created: 0, matched: 0, skipped: 0, failed: 0 };
      for (const o of sorted) counts[o.status]++;
      return {
        ...extra,
        fields,
        notImported: sorted.flatMap((o) =>
          o.status === 'created' || o.status === 'matched'
            ? o.fields.flatMap((f) =>
                f.notImported
                  ? [
                      {
                        recordNumber: o.recordNumber,
                        clerkUserId: o.clerkUserId,
                        field: f.field,
                        ...f.notImported,
                      },
                    ]
                  : [],
              )
            : [],
        ),
        counts,
        problems: sorted.filter(
          (o): o is Exclude<MigrationRecordOutcome, { status: 'created' | 'matched' }> =>
            o.status === 'skipped' || o.status === 'failed',
        ),
        warnings: sorted.flatMap((o) =>
          (o.status === 'created' || o.status === 'matched') && o.warnings.length > 0
            ? [{ recordNumber: o.recordNumber, clerkUserId: o.clerkUserId, warnings: o.warnings }]
            : [],
        ),
      };
    },
  };
}

/** The outcome of a record the input reader rejected. @internal */
export const rejected = (rejection: {
  recordNumber: number;
  clerkUserId?: string;
  code: string;
  reason: string;
}): MigrationRecordOutcome => ({
  status: 'skipped',
  recordNumber: rejection.recordNumber,
  ...(rejection.clerkUserId ? { clerkUserId: rejection.clerkUserId } : {}),
  code: rejection.code,
  reason: rejection.reason,
});
