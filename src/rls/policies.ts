import { DEFAULT_TABLE_NAMES } from '../db/tables.js';
import { OrgkitError } from '../errors/index.js';
import { type ClaimReaders, hasOrgRoleSql, hasPermissionSql, wrapped } from './claims.js';
import { isIdentifier, qualify, quoteIdent } from './identifiers.js';
import type { RlsCommand, RlsModel, RlsTableRule } from './model.js';

/** One `CREATE POLICY`, in SQL's words. @internal */
export interface PolicyPlan {
  name: string;
  for: RlsCommand;
  using?: string;
  withCheck?: string;
}

/** A membership lookup run as its owner, so a policy can read another table's rows. @internal */
export interface HelperPlan {
  name: string;
  body: string;
}

/** Everything generated for one table. @internal */
export interface TablePlan {
  table: string;
  rule: Readonly<RlsTableRule>;
  policies: PolicyPlan[];
  /** The commands the request role is granted (exactly those with a policy). */
  grants: RlsCommand[];
  /** Columns a policy compares; each gets an index leading with it. */
  indexColumns: string[];
  /** Policies the other permissive form names, dropped so switching forms leaves no stale one. */
  retired: string[];
}

export const MEMBER_ORGANIZATIONS_FUNCTION = 'orgkit_rls_member_organizations';

const ALL: RlsCommand[] = ['select', 'insert', 'update', 'delete'];
// Which commands each kind allows at all; `shared` rows are written by their organization only.
const ALLOWED: Record<RlsTableRule['kind'], RlsCommand[]> = {
  org: ALL,
  owner: ALL,
  shared: ALL,
  'append-only': ['select', 'insert'],
  internal: [],
};

function eq(column: string, claim: string): string {
  return `${quoteIdent(column)} = ${wrapped(claim)}`;
}

function and(...parts: (string | undefined)[]): string {
  return parts.filter(Boolean).join(' AND ');
}

/** The membership helper the model needs, if any. @internal */
export function planHelper(
  model: RlsModel,
  schema: string,
  readers: ClaimReaders,
): HelperPlan | undefined {
  const sources = Object.values(model.tables)
    .map((rule) => rule.selectForMembers)
    .filter((s) => s !== undefined);
  const source = sources[0];
  if (!source) return undefined;
  if (sources.some((s) => JSON.stringify(s) !== JSON.stringify(source))) {
    throw new OrgkitError(
      'invalid_config',
      'generateRlsSql: every selectForMembers must name the same membership table and columns',
    );
  }
  const m = (column: string) => `m.${quoteIdent(column)}`;
  const body = [
    `  SELECT coalesce(array_agg(${m(source.organizationColumn)}), '{}')`,
    `  FROM ${qualify(schema, source.table)} m`,
    `  WHERE ${m(source.userColumn)} = (${readers.userId})`,
    source.statusColumn ? `    AND ${m(source.statusColumn)} = 'active'` : undefined,
  ]
    .filter(Boolean)
    .join('\n');
  return { name: MEMBER_ORGANIZATIONS_FUNCTION, body };
}

/** The policies, grants and indexed columns of one table. @internal */
export function planTable(
  table: string,
  rule: Readonly<RlsTableRule>,
  schema: string,
  readers: ClaimReaders,
  combined = true,
): TablePlan {
  const org = rule.organizationColumn;
  const user = rule.userColumn;
  // The rule every row of the table must satisfy for the command, before any gate.
  const rowRule = (): string =>
    rule.kind === 'owner' && user
      ? eq(user, readers.userId)
      : and(org && eq(org, readers.organizationId));
  const policies: PolicyPlan[] = [];
  const grants: RlsCommand[] = [];
  const indexColumns = new Set<string>();
  const retired: string[] = [];
  for (const command of ALLOWED[rule.kind]) {
    const setting = rule.commands?.[command] ?? true;
    if (setting === false) continue;
    const gate =
      setting === true
        ? undefined
        : 'permission' in setting
          ? hasPermissionSql(readers, setting.permission)
          : hasOrgRoleSql(readers, setting.orgRole);
    const condition = and(rowRule(), gate);
    const name = (suffix = '') => policyName(table, `${command}${suffix}`);
    grants.push(command);
    if (rule.kind === 'owner' && user) indexColumns.add(user);
    else if (org) indexColumns.add(org);
    if (command === 'select') {
      // The row rule, and the other ways a row becomes readable: by its shared user, under an
      // emergency grant, in the organizations of the user's memberships.
      const branches: { suffix: string; using: string }[] = [{ suffix: '', using: condition }];
      if (rule.kind === 'shared' && rule.sharedUserColumn) {
        branches.push({
          suffix: '_shared_user',
          using: and(eq(rule.sharedUserColumn, readers.userId), gate),
        });
        indexColumns.add(rule.sharedUserColumn);
      }
      if (rule.emergencyAccess) {
        // No gate: emergency access is for when the usual permission does not reach.
        branches.push({ suffix: '_emergency', using: emergencyAccessSql(rule, schema, readers) });
        indexColumns.add(rule.emergencyAccess.subjectColumn);
      }
      if (rule.selectForMembers && org) {
        branches.push({
          suffix: '_member',
          using: and(
            // The cast makes the scalar sub-select an array expression (one InitPlan), not
            // `= ANY (subquery)`, which would compare the column with the whole array.
            `${quoteIdent(org)} = ANY (${wrapped(`${qualify(schema, MEMBER_ORGANIZATIONS_FUNCTION)}()`)}::text[])`,
            gate,
          ),
        });
      }
      if (combined && branches.length > 1) {
        // One permissive policy per command (decision 180): Postgres plans the OR as the same
        // BitmapOr of index scans, and Supabase's advisor flags two permissive policies.
        policies.push({
          name: name(),
          for: 'select',
          using: branches.map((branch) => `(${branch.using})`).join(' OR '),
        });
        retired.push(...branches.slice(1).map((branch) => name(branch.suffix)));
      } else {
        for (const branch of branches) {
          policies.push({ name: name(branch.suffix), for: 'select', using: branch.using });
        }
      }
    } else if (command === 'insert') {
      // Append-only rows with a user column are written only as the token's user.
      const actor = rule.kind === 'append-only' && user ? eq(user, readers.userId) : undefined;
      policies.push({ name: name(), for: 'insert', withCheck: and(condition, actor) });
    } else if (command === 'update') {
      // USING picks the rows; WITH CHECK stops moving one to another organization or user.
      policies.push({ name: name(), for: 'update', using: condition, withCheck: rowRule() });
    } else {
      policies.push({ name: name(), for: 'delete', using: condition });
    }
  }
  return { table, rule, policies, grants, indexColumns: [...indexColumns], retired };
}

/**
 * Rows of a person the token's user holds an unexpired emergency grant for, made in the token's
 * organization (and, when the table has one, in the row's organization). `IN (subquery)`
 * with the claim wrapped runs the grant lookup once per query (a hashed SubPlan), not per row;
 * `now()` is the database clock. No gate applies: emergency access is for when the usual
 * permission is missing, and every such read is on the review list.
 */
function emergencyAccessSql(
  rule: Readonly<RlsTableRule>,
  schema: string,
  readers: ClaimReaders,
): string {
  const { subjectColumn, grantsTable = DEFAULT_TABLE_NAMES.emergencyAccess } =
    rule.emergencyAccess!;
  const org = rule.organizationColumn;
  const row = org
    ? `(${quoteIdent(org)}, ${quoteIdent(subjectColumn)})`
    : quoteIdent(subjectColumn);
  const picked = org ? 'g.workos_org_id, g.subject_id' : 'g.subject_id';
  // The grant counts only in sessions of the organization it was made in.
  return `${row} IN (SELECT ${picked} FROM ${qualify(schema, grantsTable)} g WHERE g.grantee_workos_user_id = ${wrapped(readers.userId)} AND g.workos_org_id = ${wrapped(readers.organizationId)} AND g.expires_at > now())`;
}

function policyName(table: string, suffix: string): string {
  const name = `${table}_${suffix}`;
  if (!isIdentifier(name)) {
    throw new OrgkitError(
      'invalid_config',
      `generateRlsSql: tables.${table}: the policy name "${name}" is longer than 63 characters`,
      { details: { key: `tables.${table}` } },
    );
  }
  return name;
}
