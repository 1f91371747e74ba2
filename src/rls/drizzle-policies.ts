import { sql } from 'drizzle-orm';
import { type PgPolicy, type PgRole, pgPolicy, pgRole } from 'drizzle-orm/pg-core';
import { OrgkitError } from '../errors/index.js';
import type { RlsTarget } from './claims.js';
import type { RlsModel } from './model.js';
import { planModel, policyOptionsSchema } from './plan-model.js';
import type { PolicyPlan } from './policies.js';

/** Options for {@link rlsDrizzlePolicies}. */
export interface RlsDrizzlePoliciesOptions {
  /** Where claims are read: `current_setting` (postgres), pg_session_jwt (neon), `auth.jwt()` (supabase). */
  target: RlsTarget;
  /** The request role the policies apply to. @default 'authenticated' */
  role?: string;
  /** The schema holding the tables (and the membership helper). @default 'public' */
  schema?: string;
  /** One permissive SELECT policy per table or one per way a row is readable; as {@link generateRlsSql}'s. @default 'combined' */
  permissivePolicies?: 'combined' | 'separate';
}

/** A model's policies as drizzle objects, made by {@link rlsDrizzlePolicies}. */
export interface RlsDrizzlePolicies {
  /**
   * The request role, declared `.existing()`: drizzle-kit never creates, alters or drops it
   * (roles are cluster-wide, and Supabase and Neon already have `authenticated`); the
   * companion SQL creates it when missing.
   */
  role: PgRole;
  /** Per table of the model, its policies; `[]` for `internal` tables. */
  policies: Readonly<Record<string, readonly PgPolicy[]>>;
  /** The policies of `table`; `invalid_input` when the model has no such table. */
  policiesFor(table: string): PgPolicy[];
}

/**
 * The model's policies as drizzle `pgPolicy` objects, so drizzle-kit writes them into your
 * migrations: the same names, commands, role and expressions as {@link generateRlsSql}, every
 * literal inlined (drizzle-kit would turn an interpolated value into a `$1` that breaks the
 * policy). drizzle-kit never emits `FORCE ROW LEVEL SECURITY`, grants, indexes or functions:
 * apply {@link rlsCompanionSql} around its migration.
 *
 * Call `.enableRLS()` on every table of the model, `internal` ones included: they have no
 * policy, and without it drizzle-kit treats RLS on them as off and would disable it (`push`,
 * or `generate` once a table loses its last policy). For a table declared elsewhere (orgkit's
 * own, from `orgkit/drizzle`), link each policy with `.link(table)` and export it by name:
 * drizzle-kit reads only a schema file's named exports.
 *
 * @example
 * ```ts
 * import { pgTable, text } from 'drizzle-orm/pg-core'
 * import { auditLogs } from 'orgkit/drizzle'
 * import { rlsDrizzlePolicies } from 'orgkit/rls'
 *
 * const rls = rlsDrizzlePolicies(model, { target: 'neon' })
 * export const events = pgTable(
 *   'events',
 *   { id: text('id').primaryKey(), orgId: text('org_id').notNull() },
 *   () => rls.policiesFor('events'),
 * ).enableRLS()
 * auditLogs.enableRLS()
 * export const [auditLogsSelect, auditLogsInsert] = rls
 *   .policiesFor('audit_logs')
 *   .map((policy) => policy.link(auditLogs))
 * ```
 */
export function rlsDrizzlePolicies(
  model: RlsModel,
  options: RlsDrizzlePoliciesOptions,
): RlsDrizzlePolicies {
  const plan = planModel(model, options, 'rlsDrizzlePolicies', policyOptionsSchema);
  const role = pgRole(plan.role).existing();
  const policies: Record<string, PgPolicy[]> = {};
  for (const table of plan.tables) {
    policies[table.table] = table.policies.map((p) =>
      pgPolicy(checkDashes(table.table, p).name, {
        as: 'permissive',
        for: p.for,
        to: role,
        // sql.raw: the planned text is already quoted SQL; nothing becomes a parameter.
        ...(p.using ? { using: sql.raw(p.using) } : {}),
        ...(p.withCheck ? { withCheck: sql.raw(p.withCheck) } : {}),
      }),
    );
  }
  return {
    role,
    policies,
    policiesFor(table) {
      const found = Object.hasOwn(policies, table) ? policies[table] : undefined;
      if (!found) {
        throw new OrgkitError(
          'invalid_input',
          `rlsDrizzlePolicies: policiesFor: "${String(table)}" is not a table of the model`,
          { details: { key: 'table' } },
        );
      }
      return [...found];
    },
  };
}

// drizzle-kit 0.31 stores a policy in its snapshot as fields joined by `--` and splits them
// again, so a `--` inside a permission or role name would come out as a different policy.
function checkDashes(table: string, policy: PolicyPlan): PolicyPlan {
  if (`${policy.using ?? ''}${policy.withCheck ?? ''}`.includes('--')) {
    throw new OrgkitError(
      'invalid_config',
      `rlsDrizzlePolicies: tables.${table}: the policy "${policy.name}" names a permission or role containing "--", which drizzle-kit cannot carry (its snapshot splits on "--"); rename it, or apply generateRlsSql instead`,
      { details: { key: `tables.${table}` } },
    );
  }
  return policy;
}
