export type { OrgkitErrorCode } from './codes.js';
export { HTTP_STATUS_BY_CODE, ORGKIT_ERROR_CODES } from './codes.js';
export type { OrgkitErrorOptions } from './orgkit-error.js';
export { isOrgkitError, OrgkitError } from './orgkit-error.js';
export { parseInput } from './parse-input.js';
export { safeParse } from './safe-parse.js';
