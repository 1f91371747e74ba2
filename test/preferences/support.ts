import { isOrgkitError, type OrgkitError } from '../../src/errors/index.js';

/**
 * A verified session for `userId`, as an adapter puts in the request scope. Same signature as
 * test/roles/support.ts's, so both can move to one shared helper.
 */
export { JOB, sessionFor } from '../support/sessions.js';

/** The OrgkitError `promise` rejects with; fails the test on success or on any other error. */
export async function rejection(promise: Promise<unknown>): Promise<OrgkitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isOrgkitError(error)) throw new Error(`expected an OrgkitError, got ${String(error)}`);
  return error;
}
