import { isOrgkitError, OrgkitError } from '../errors/index.js';

const USAGE = 'usage';

/**
 * A mistake in the command line: printed as `invalid_input` with exit code 2, so a script can
 * tell "called wrong" from "failed" or "the audit log is broken" (exit code 1).
 */
export function usageError(message: string): OrgkitError {
  return new OrgkitError('invalid_input', message, { reason: USAGE });
}

/** True for an error {@link usageError} made. */
export function isUsageError(error: unknown): boolean {
  return isOrgkitError(error) && error.reason === USAGE;
}
