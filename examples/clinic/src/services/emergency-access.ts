import { eq } from 'drizzle-orm';
import { type EmergencyAccessGrant, isOrgkitError } from 'orgkit';
import { type OrgkitDatabase, users } from 'orgkit/drizzle';
import { z } from 'zod';
import type { ClinicOrgkit } from '../orgkit.js';
import { echoValues, type FormResult, fieldErrors } from './form-errors.js';
import { namesOf } from './names.js';

/** The break-the-glass form. */
export const breakGlassFormSchema = z.object({
  patientEmail: z.email({ error: 'Enter the patient’s email' }),
  reason: z
    .string({ error: 'Say why you need the records' })
    .trim()
    .min(3, 'Say why you need the records (at least 3 characters)')
    .max(1000, 'Keep the reason under 1000 characters'),
  minutes: z.coerce
    .number({ error: 'Enter a number of minutes' })
    .int('Enter whole minutes')
    .min(1, 'Choose between 1 and 240 minutes')
    .max(240, 'Choose between 1 and 240 minutes'),
});

/** The review form, one per grant. */
export const reviewFormSchema = z.object({
  grantId: z.uuid({ error: 'That grant does not exist' }),
  outcome: z.enum(['appropriate', 'inappropriate'], { error: 'Choose a verdict' }),
  note: z
    .string()
    .trim()
    .max(2000, 'Keep the note under 2000 characters')
    .transform((v) => v || undefined)
    .optional(),
});

/** The privacy officer's list: grants, and the names of the people they concern. */
export interface EmergencyReviewList {
  /** Waiting for review first, then the reviewed ones, each oldest first. */
  grants: EmergencyAccessGrant[];
  /** `{ [workosUserId]: "First Last <email>" }` for grantees and patients. */
  names: Record<string, string>;
}

/**
 * Emergency access ("break the glass"): a clinician of the organization who cannot read a
 * patient's meetings opens them for a while with a reason (`orgkit.breakGlass`); the privacy
 * officer (the review permission, `audit:read`, in that organization) reviews each grant
 * afterwards. orgkit records the grant, every read under it and the review.
 */
export function createEmergencyAccessService(orgkit: ClinicOrgkit, db: OrgkitDatabase) {
  const refused = (error: unknown): string | undefined =>
    isOrgkitError(error) &&
    ['invalid_input', 'forbidden', 'conflict', 'not_found'].includes(error.code)
      ? error.message.replace(/^\w+: /, '')
      : undefined;

  return {
    /** The break-the-glass form's POST: a grant for the patient with that email. */
    async breakGlass(input: Record<string, unknown>): Promise<FormResult<EmergencyAccessGrant>> {
      const values = echoValues(input);
      const parsed = breakGlassFormSchema.safeParse(input);
      if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error), values };
      const { patientEmail, reason, minutes } = parsed.data;
      // The mirror of WorkOS users, read as the service role: the clinician names the patient.
      const [patient] = await db
        .select({ id: users.workosUserId })
        .from(users)
        .where(eq(users.email, patientEmail.trim().toLowerCase()));
      if (!patient) {
        return { ok: false, errors: { patientEmail: 'No patient with that email' }, values };
      }
      try {
        return {
          ok: true,
          value: await orgkit.breakGlass({ subjectId: patient.id, reason, minutes }),
        };
      } catch (error) {
        const message = refused(error);
        if (message) return { ok: false, errors: { form: message }, values };
        throw error;
      }
    },

    /**
     * The grants of the session's organization, for review: reading the list is recorded by
     * orgkit, and as a compliance read (HCOMPL) of the patients it names.
     */
    async listForReview(): Promise<EmergencyReviewList> {
      const grants = await orgkit.listEmergencyAccessForReview({ includeReviewed: true });
      grants.sort((a, b) => Number(a.review !== null) - Number(b.review !== null));
      // The list shows each patient's name and the grantee's reason, which may hold health
      // information: a read of the patients' records for compliance, recorded like any other.
      const subjectIds = [...new Set(grants.flatMap((g) => (g.subjectId ? [g.subjectId] : [])))];
      if (grants.length > 0) {
        await orgkit.recordAccess(
          'emergency_access',
          grants.map((g) => g.id),
          { purpose: 'HCOMPL', subjectIds },
        );
      }
      const names = await namesOf(
        db,
        grants.flatMap((g) => [g.granteeUserId, g.subjectId]),
      );
      return { grants, names };
    },

    /** A review form's POST (`orgkit.reviewEmergencyAccess`): once per grant, never one's own. */
    async review(input: Record<string, unknown>): Promise<FormResult<EmergencyAccessGrant>> {
      const values = echoValues(input);
      const parsed = reviewFormSchema.safeParse(input);
      if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error), values };
      const { grantId, outcome, note } = parsed.data;
      try {
        return { ok: true, value: await orgkit.reviewEmergencyAccess(grantId, { outcome, note }) };
      } catch (error) {
        const message = refused(error);
        if (message) return { ok: false, errors: { form: message }, values };
        throw error;
      }
    },
  };
}
