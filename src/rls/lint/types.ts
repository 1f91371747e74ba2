/** Every rule `lintRls` checks, by its stable name. */
export const RLS_LINT_RULES = [
  'rls_disabled',
  'policy_exists_rls_disabled',
  'rls_not_forced',
  'rls_enabled_no_policy',
  'auth_call_not_wrapped',
  'uid_cast_on_text_id',
  'policy_always_true',
  'policy_to_public',
  'unindexed_policy_column',
  'request_role_privileged',
  'view_without_security_invoker',
  'update_without_select_policy',
  'security_definer_executable',
  'security_definer_search_path',
  'multiple_permissive_policies',
] as const;

/** A rule's stable name. */
export type RlsLintRule = (typeof RLS_LINT_RULES)[number];

/**
 * `error`: rows leak or access breaks; `warning`: slow or fragile; `info`: deliberate more often
 * than not (a table locked to the request role). `orgkit rls lint` exits 1 on errors and warnings.
 */
export type RlsLintLevel = 'error' | 'warning' | 'info';

/** One mistake `lintRls` found. */
export interface RlsLintFinding {
  rule: RlsLintRule;
  level: RlsLintLevel;
  /** Schema-qualified, quoted where Postgres needs it (`public.meetings`); absent for role-wide findings. */
  table?: string;
  policy?: string;
  /** `schema.name(argument types)`, on function findings. */
  function?: string;
  /** The request role, on `request_role_privileged` findings. */
  role?: string;
  /** What is wrong, naming the table or policy, and how to fix it. */
  message: string;
  /** SQL (or a one-line instruction) that fixes it. */
  fix?: string;
  /** Stable across runs: pass it in `ignore` to silence this one finding deliberately. */
  cacheKey: string;
}

/** Options for {@link lintRls}. */
export interface RlsLintOptions {
  /** The role requests run as (`SET LOCAL ROLE`). @default 'authenticated' */
  role?: string;
  /** The schemas to check. @default the schemas on the search path (`current_schemas(false)`) */
  schemas?: string[];
  /** `cacheKey`s of findings to leave out. */
  ignore?: string[];
}
