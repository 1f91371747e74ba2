/** Every stable error code orgkit throws. Callers switch on these, never on messages. */
export const ORGKIT_ERROR_CODES = [
  'invalid_input',
  'invalid_config',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'upstream_unavailable',
  'webhook_invalid',
  'missing_dependency',
  'internal',
] as const;

export type OrgkitErrorCode = (typeof ORGKIT_ERROR_CODES)[number];

/** HTTP status for each code, used by the framework adapters. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<OrgkitErrorCode, number>> = {
  invalid_input: 400,
  invalid_config: 500,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  upstream_unavailable: 503,
  webhook_invalid: 400,
  missing_dependency: 500,
  internal: 500,
};
