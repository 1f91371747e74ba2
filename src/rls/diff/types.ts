import type { RlsTarget } from '../claims.js';

/** Every kind of drift `diffRls` reports, by its stable name. */
export const RLS_DRIFT_KINDS = [
  'role_missing',
  'table_missing',
  'rls_disabled',
  'rls_not_forced',
  'policies_lost',
  'policy_missing',
  'policy_extra',
  'policy_changed',
  'grant_wider',
  'grant_missing',
  'function_missing',
  'function_changed',
  'function_granted',
] as const;

/** A kind of drift. */
export type RlsDriftKind = (typeof RLS_DRIFT_KINDS)[number];

/** One way the live database differs from the model. */
export interface RlsDifference {
  kind: RlsDriftKind;
  /** Schema-qualified and quoted (`"public"."meetings"`), on table and policy differences. */
  table?: string;
  policy?: string;
  /** `schema.name()`, on function differences. */
  function?: string;
  /** What differs, naming the object, as the model has it and as the database has it. */
  message: string;
  /** The SQL that brings this object back to the model; absent when SQL cannot (a missing table). */
  fix?: string;
}

/** What {@link diffRls} found. */
export interface RlsDiff {
  /** Empty when the database matches the model. */
  differences: RlsDifference[];
  /**
   * Every fix in one transaction, ready for `psql`; re-runnable (each statement is idempotent).
   * Empty when there is nothing to fix.
   */
  sql: string;
}

/** Options for {@link diffRls}: those of `generateRlsSql`, the target found when left out. */
export interface RlsDiffOptions {
  /**
   * Where the policies read claims. @default the target the schema's policies read claims with
   * (`auth.jwt()`: supabase, `auth.session()`/`auth.user_id()`: neon, `request.jwt.claims`:
   * postgres), else `supabase` when the database has `auth.jwt()`, `neon` when it has
   * `auth.session()`, else `postgres`
   */
  target?: RlsTarget;
  /** The request role. @default 'authenticated' */
  role?: string;
  /** The schema holding the tables. @default 'public' */
  schema?: string;
  /** The no-token roles, as `generateRlsSql` takes them. */
  revokeFrom?: string[];
  /** The permissive form the SQL was generated with. @default 'combined' */
  permissivePolicies?: 'combined' | 'separate';
}
