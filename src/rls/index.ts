/**
 * `orgkit/rls`: row-level security from one model. Declare which rows belong to whom with
 * {@link defineRlsModel}, render reviewable SQL for Postgres, Neon or Supabase with
 * {@link generateRlsSql} (or as drizzle `pgPolicy` objects with {@link rlsDrizzlePolicies} plus
 * {@link rlsCompanionSql}), run queries under the policies with {@link withRls}, and check a live
 * database for RLS mistakes with {@link lintRls}, and for drift from the model with {@link diffRls}.
 * @module orgkit/rls
 */
export type { OrgkitTables } from '../db/tables.js';
export type { RlsTarget } from './claims.js';
export type { RlsCompanionSql, RlsCompanionSqlOptions } from './companion-sql.js';
export { rlsCompanionSql } from './companion-sql.js';
export { defaultRlsModel, orgkitRlsTables } from './default-model.js';
export type { RlsDiff, RlsDifference, RlsDiffOptions, RlsDriftKind } from './diff/index.js';
export { diffRls, RLS_DRIFT_KINDS } from './diff/index.js';
export type { RlsDrizzlePolicies, RlsDrizzlePoliciesOptions } from './drizzle-policies.js';
export { rlsDrizzlePolicies } from './drizzle-policies.js';
export type { GenerateRlsSqlOptions } from './generate-sql.js';
export { generateRlsSql } from './generate-sql.js';
export type { RlsLintFinding, RlsLintLevel, RlsLintOptions, RlsLintRule } from './lint/index.js';
export { lintRls, RLS_LINT_RULES } from './lint/index.js';
export type {
  RlsCommand,
  RlsCommandGate,
  RlsCommands,
  RlsEmergencyAccess,
  RlsMembershipSource,
  RlsModel,
  RlsModelInput,
  RlsTableKind,
  RlsTableRule,
} from './model.js';
export { defineRlsModel } from './model.js';
export type { RlsTransaction, WithRlsOptions } from './with-rls.js';
export { withRls } from './with-rls.js';
