import * as z from 'zod';
import { OrgkitError } from '../errors/index.js';
import { parseInput } from '../errors/parse-input.js';
import { claimReaders, type RlsTarget } from './claims.js';
import { isIdentifier } from './identifiers.js';
import { isRlsModel, type RlsModel } from './model.js';
import { type HelperPlan, planHelper, planTable, type TablePlan } from './policies.js';

/** Options for {@link generateRlsSql}. */
export interface GenerateRlsSqlOptions {
  /** Where claims are read: `current_setting` (postgres), pg_session_jwt (neon), `auth.jwt()` (supabase). */
  target: RlsTarget;
  /** The request role the policies apply to. @default 'authenticated' */
  role?: string;
  /** The schema holding the tables. @default 'public' */
  schema?: string;
  /**
   * Roles that must not reach these tables at all, revoked when they exist. Supabase grants
   * `anon` every table by default (TRUNCATE included, which RLS does not cover); Neon's WorkOS
   * guide creates `anonymous`.
   * @default ['anon'] on supabase, ['anonymous'] on neon, [] on postgres
   */
  revokeFrom?: string[];
  /**
   * A table readable several ways (a shared table's organization and guest, an organization's
   * members) gets `combined`: one permissive SELECT policy with the ways ORed, or `separate`:
   * one permissive policy per way (Postgres ORs them). Both plan as the same index scans;
   * Supabase's advisor flags several permissive policies for one command.
   * @default 'combined'
   */
  permissivePolicies?: 'combined' | 'separate';
}

const DEFAULT_REVOKE_FROM: Record<RlsTarget, string[]> = {
  postgres: [],
  neon: ['anonymous'],
  supabase: ['anon'],
};

const identifier = z.string().refine(isIdentifier, { message: 'not a plain SQL identifier' });

/** Target, role and schema: what every renderer of a model takes. @internal */
export const policyOptionsSchema = z
  .object({
    target: z.enum(['postgres', 'neon', 'supabase']),
    role: identifier.optional(),
    schema: identifier.optional(),
    permissivePolicies: z.enum(['combined', 'separate']).optional(),
  })
  .strict();

/** What the SQL renderers take: the policy options and the roles to revoke from. @internal */
export const sqlOptionsSchema = policyOptionsSchema
  .extend({ revokeFrom: z.array(identifier).optional() })
  .strict();

/** A model planned for one target, request role and schema. @internal */
export interface ModelPlan {
  target: RlsTarget;
  role: string;
  schema: string;
  /** The no-token roles to revoke from, the request role left out. */
  revokeFrom: string[];
  helper: HelperPlan | undefined;
  tables: TablePlan[];
}

/**
 * Checks the model and options (`invalid_input` naming `caller` and the key) and plans every
 * table, so each output (SQL, drizzle policies, companion SQL) renders the same plan.
 * @internal
 */
export function planModel(
  model: RlsModel,
  options: unknown,
  caller: string,
  schemaOfOptions: typeof policyOptionsSchema | typeof sqlOptionsSchema = sqlOptionsSchema,
): ModelPlan {
  if (!isRlsModel(model)) {
    throw new OrgkitError('invalid_input', `${caller}: model: pass a model from defineRlsModel`);
  }
  const opts: z.output<typeof sqlOptionsSchema> = parseInput(schemaOfOptions, options, caller);
  const role = opts.role ?? 'authenticated';
  const schema = opts.schema ?? 'public';
  const readers = claimReaders(opts.target);
  const helper = planHelper(model, schema, readers);
  const tables = Object.entries(model.tables).map(([table, rule]) =>
    planTable(table, rule, schema, readers, opts.permissivePolicies !== 'separate'),
  );
  const revokeFrom = (opts.revokeFrom ?? DEFAULT_REVOKE_FROM[opts.target]).filter(
    (other) => other !== role,
  );
  return { target: opts.target, role, schema, revokeFrom, helper, tables };
}
