import { createOrgkit, type OrgkitConfig } from '../../src/create-orgkit.js';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { isOrgkitError, type OrgkitError } from '../../src/errors/index.js';

/** The clinic's resource types: records of patients are PHI. */
export const CLINIC_ACCESS = {
  purposes: ['BILLING_REVIEW'],
  resourceTypes: {
    patient_record: { phi: true },
    visit_note: { phi: true },
    appointment: { phi: false },
  },
} satisfies OrgkitConfig['access'];

/** An orgkit with the clinic's access rules. */
export function accessOrgkit(db: OrgkitDatabase, access: OrgkitConfig['access'] = CLINIC_ACCESS) {
  return createOrgkit({ database: db, access });
}

/** The OrgkitError a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<OrgkitError> {
  try {
    await promise;
  } catch (error) {
    if (isOrgkitError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to be rejected');
}

/** Collects an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
