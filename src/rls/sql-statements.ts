import { qualify, quoteIdent, quoteLiteral } from './identifiers.js';
import type { ModelPlan } from './plan-model.js';
import type { HelperPlan, PolicyPlan, TablePlan } from './policies.js';

// The statements generateRlsSql and rlsCompanionSql share. Each function returns one entry per
// statement (a DO block counts as one); a comment rides with the statement it introduces.

const COMMAND_SQL = { select: 'SELECT', insert: 'INSERT', update: 'UPDATE', delete: 'DELETE' };

/** Why the owner must bypass RLS; every output that forces tables says it. @internal */
export const OWNER_NOTE = [
  '-- Tables are FORCEd, so their owner is confined too: run migrations and background jobs, and own',
  '-- the SECURITY DEFINER helper and the audit trigger, as a superuser or a BYPASSRLS role.',
];

/** @internal */
export function loginRoleNote(role: string): string {
  return `-- The app's login role must be able to switch to the request role: GRANT ${quoteIdent(role)} TO <login role>;`;
}

/** The request role, created if missing, and its use of the schema. @internal */
export function roleStatements(role: string, schema: string): string[] {
  // Roles are cluster-wide: create it only if missing, and tolerate a concurrent creator.
  const create = [
    'DO $$',
    'BEGIN',
    `  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(role)}) THEN`,
    `    CREATE ROLE ${quoteIdent(role)} NOLOGIN NOINHERIT;`,
    '  END IF;',
    'EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;',
    'END $$;',
  ].join('\n');
  return [create, `GRANT USAGE ON SCHEMA ${quoteIdent(schema)} TO ${quoteIdent(role)};`];
}

/** The membership helper, executable by the request role only. @internal */
export function helperStatements(helper: HelperPlan, schema: string, role: string): string[] {
  const fn = `${qualify(schema, helper.name)}()`;
  const create = [
    "-- The organizations of the token user's active memberships. SECURITY DEFINER so a policy can",
    '-- read memberships without recursing into their own policies; search_path is empty, so every',
    '-- name in the body is schema-qualified.',
    `CREATE OR REPLACE FUNCTION ${fn} RETURNS text[]`,
    "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''",
    'AS $$',
    helper.body,
    '$$;',
  ].join('\n');
  return [
    create,
    `REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC;`,
    revokeOtherGrantees(fn, role),
    `GRANT EXECUTE ON FUNCTION ${fn} TO ${quoteIdent(role)};`,
  ];
}

// REVOKE … FROM PUBLIC leaves grants made to roles by name: Supabase's default privileges give
// anon, authenticated and service_role EXECUTE on every function created in public (callable
// through /rest/v1/rpc), Neon's guide does the same for anonymous. Only the owner and the
// request role keep it.
function revokeOtherGrantees(fn: string, role: string): string {
  return [
    `-- ${fn}: executable by the request role only (and its owner).`,
    'DO $$',
    'DECLARE grantee text;',
    'BEGIN',
    '  FOR grantee IN SELECT DISTINCT a.grantee::regrole::text',
    '    FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a',
    `    WHERE p.oid = ${quoteLiteral(fn)}::regprocedure AND a.grantee <> 0 AND a.grantee <> p.proowner`,
    `      AND a.grantee IS DISTINCT FROM (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = ${quoteLiteral(role)})`,
    '  LOOP',
    `    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM %s', ${quoteLiteral(fn)}, grantee);`,
    '  END LOOP;',
    'END $$;',
  ].join('\n');
}

/** `-- table: what its rule is`. @internal */
export function tableComment(plan: TablePlan): string {
  const r = plan.rule;
  const what = (() => {
    switch (r.kind) {
      case 'org':
        return `org-scoped by ${r.organizationColumn}`;
      case 'owner':
        return `owned by the user in ${r.userColumn}`;
      case 'shared':
        return `org-scoped by ${r.organizationColumn}, also readable by the user in ${r.sharedUserColumn}`;
      case 'append-only':
        return `append-only, org-scoped by ${r.organizationColumn}`;
      case 'internal':
        return 'internal: no access for the request role';
    }
  })();
  return `-- ${plan.table}: ${what}`;
}

/** RLS enabled and forced, and exactly the grants the policies need. @internal */
export function tableAccessStatements(plan: TablePlan, schema: string, role: string): string[] {
  const table = qualify(schema, plan.table);
  const r = quoteIdent(role);
  const out = [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;`,
    `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`,
    `REVOKE ALL ON TABLE ${table} FROM ${r};`,
  ];
  if (plan.grants.length > 0) {
    const grants = plan.grants.map((c) => COMMAND_SQL[c]).join(', ');
    out.push(`GRANT ${grants} ON TABLE ${table} TO ${r};`);
  }
  return out;
}

/** Each policy dropped and created again, so applying twice changes nothing. @internal */
export function policyStatements(plan: TablePlan, schema: string, role: string): string[] {
  const table = qualify(schema, plan.table);
  return [
    ...plan.retired.map((name) => `DROP POLICY IF EXISTS ${quoteIdent(name)} ON ${table};`),
    ...plan.policies.flatMap((policy) => policySql(policy, table, role)),
  ];
}

/** One policy: `DROP POLICY IF EXISTS`, then `CREATE POLICY` on `table` (qualified). @internal */
export function policySql(policy: PolicyPlan, table: string, role: string): [string, string] {
  const parts = [
    `CREATE POLICY ${quoteIdent(policy.name)} ON ${table} AS PERMISSIVE FOR ${COMMAND_SQL[policy.for]} TO ${quoteIdent(role)}`,
  ];
  if (policy.using) parts.push(`  USING (${policy.using})`);
  if (policy.withCheck) parts.push(`  WITH CHECK (${policy.withCheck})`);
  return [`DROP POLICY IF EXISTS ${quoteIdent(policy.name)} ON ${table};`, `${parts.join('\n')};`];
}

/** The sequence grants an inserting role needs, and an index leading with each policy column. @internal */
export function tableSupportStatements(plan: TablePlan, schema: string, role: string): string[] {
  const out: string[] = [];
  if (plan.grants.includes('insert')) out.push(sequenceGrantSql(qualify(schema, plan.table), role));
  for (const column of plan.indexColumns) out.push(indexSql(plan.table, schema, column));
  return out;
}

/** The no-token roles lose every privilege on the model's tables. @internal */
export function revokeStatements(plan: ModelPlan): string[] {
  const tables = plan.tables.map((t) => qualify(plan.schema, t.table)).join(', ');
  return plan.revokeFrom.map((other) =>
    [
      `-- ${other}: requests without a token reach none of these tables.`,
      'DO $$',
      'BEGIN',
      `  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(other)}) THEN`,
      `    REVOKE ALL ON TABLE ${tables} FROM ${quoteIdent(other)};`,
      '  END IF;',
      'END $$;',
    ].join('\n'),
  );
}

// Serial columns draw from a sequence the inserting role must be allowed to use.
function sequenceGrantSql(table: string, role: string): string {
  return [
    'DO $$',
    'DECLARE seq regclass;',
    'BEGIN',
    '  FOR seq IN SELECT d.objid::regclass FROM pg_catalog.pg_depend d',
    "    JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'",
    `    WHERE d.refobjid = ${quoteLiteral(table)}::regclass AND d.deptype IN ('a', 'i')`,
    '  LOOP',
    `    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO %I', seq, ${quoteLiteral(role)});`,
    '  END LOOP;',
    'END $$;',
  ].join('\n');
}

// An index leading with the policy column, unless one already exists (a unique constraint on
// workos_user_id, say): a second copy would only slow writes.
function indexSql(table: string, schema: string, column: string): string {
  const qualified = qualify(schema, table);
  const name = `${table}_${column}_rls_idx`.slice(0, 63);
  return [
    'DO $$',
    'BEGIN',
    '  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i',
    '    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]',
    `    WHERE i.indrelid = ${quoteLiteral(qualified)}::regclass AND a.attname = ${quoteLiteral(column)}`,
    '      AND i.indpred IS NULL) THEN',
    `    CREATE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${qualified} (${quoteIdent(column)});`,
    '  END IF;',
    'END $$;',
  ].join('\n');
}
