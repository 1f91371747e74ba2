import * as z from 'zod';
import * as zm from 'zod/mini';
import { subjectIdsSchema } from '../audit/event-input.js';
import { OrgkitError, parseInput } from '../errors/index.js';
import { streamAccessReport } from './access-report.js';
import type { AccessDeps } from './deps.js';
import { createEmergencyAccess } from './emergency-access.js';
import { checkPurpose } from './policy.js';
import { commonOptions, createAccessRecorder, parseAccess } from './record-access.js';
import { line } from './text.js';
import type { AccessApi } from './types.js';

// Recipient and description are what HIPAA's accounting of disclosures lists; short, no PHI.
const disclosureSchema = z.strictObject({
  ...commonOptions,
  purpose: z.string().min(1).max(64),
  subjectIds: subjectIdsSchema.check(zm.minLength(1)),
  recipient: line(1, 200),
  description: line(1, 500),
});

/**
 * Access accounting over the audit log: reads with a purpose of use, disclosures, emergency
 * access and per-person reports.
 * @internal
 */
export function createAccess(deps: AccessDeps): AccessApi {
  const recorder = createAccessRecorder(deps);
  const emergency = createEmergencyAccess(deps);

  const recordAccess: AccessApi['recordAccess'] = async (resourceType, resourceIds, options) => {
    const what = 'recordAccess';
    const { input, tx } = parseAccess(deps, resourceType, resourceIds, options, what);
    return recorder.record(input, tx, what);
  };

  return {
    recordAccess,

    accessed(resourceType, read, describe) {
      if (typeof read !== 'function' || typeof describe?.ids !== 'function') {
        throw new OrgkitError(
          'invalid_input',
          'accessed: pass (resourceType, read, { ids, subjectIds?, purpose? }) with functions',
        );
      }
      if (describe.subjectIds !== undefined && typeof describe.subjectIds !== 'function') {
        throw new OrgkitError(
          'invalid_input',
          'accessed: subjectIds: expected a function (row) => ids',
        );
      }
      // The declaration is checked once, when the route is set up, not on its first request.
      if (typeof describe.purpose !== 'function') {
        parseAccess(deps, resourceType, 'x', { purpose: describe.purpose }, 'accessed');
      }
      return async (...args) => {
        const rows = [...(await read(...args))];
        if (rows.length === 0) return rows;
        const purpose =
          typeof describe.purpose === 'function' ? describe.purpose(...args) : describe.purpose;
        const subjectIds = describe.subjectIds
          ? [...new Set(rows.flatMap((row) => describe.subjectIds!(row)))]
          : undefined;
        await recordAccess(
          resourceType,
          rows.map((row) => describe.ids(row)),
          { purpose, subjectIds },
        );
        return rows;
      };
    },

    async recordDisclosure(resourceType, resourceIds, options) {
      const what = 'recordDisclosure';
      const parsed = parseInput(disclosureSchema, options, `${what}: options`);
      const { input, tx } = parseAccess(
        deps,
        resourceType,
        resourceIds,
        { purpose: parsed.purpose, subjectIds: parsed.subjectIds },
        what,
      );
      checkPurpose(deps.policy, input.resourceType, parsed.purpose, what);
      await recorder.record(
        {
          ...input,
          action: 'access.disclosed',
          actor: parsed.actor,
          organizationId: parsed.organizationId,
          extra: { recipient: parsed.recipient, description: parsed.description },
        },
        parsed.tx ?? tx,
        what,
      );
    },

    breakGlass: (input) => emergency.breakGlass(input),
    listEmergencyAccessForReview: (options) => emergency.listEmergencyAccessForReview(options),
    reviewEmergencyAccess: (id, review) => emergency.reviewEmergencyAccess(id, review),
    accessReport: (query) => streamAccessReport(deps, query, 'access'),
    exportDisclosures: (query) => streamAccessReport(deps, query, 'disclosures'),
  };
}
