import * as z from 'zod';
import { OrgkitError } from '../errors/index.js';
import type { AccessControl, OrgRoleOf, PermissionOf } from '../roles/define-access-control.js';
import { checkIdentifier, isIdentifier } from './identifiers.js';

/**
 * How a table's rows belong to someone:
 * - `org`: to the organization in `organizationColumn` (the token's `org_id`);
 * - `owner`: to the user in `userColumn` (the token's `sub`);
 * - `shared`: to an organization, and also readable by the user in `sharedUserColumn`
 *   (a meeting seen by the expert's organization and by its guest); only the organization writes;
 * - `append-only`: org-scoped rows that can be inserted and read, never updated or deleted;
 * - `internal`: not reachable by the request role at all (orgkit's `orgkit_*` tables).
 */
export type RlsTableKind = 'org' | 'owner' | 'shared' | 'append-only' | 'internal';

/** A SQL command a policy covers. */
export type RlsCommand = 'select' | 'insert' | 'update' | 'delete';

/** An extra condition on one command: a permission from the token, or an organization role. */
export type RlsCommandGate<P extends string = string, R extends string = string> =
  | { permission: P }
  | { orgRole: R };

/** Per command: `false` removes it, `true` keeps the kind's rule, a gate adds a condition. */
export type RlsCommands<P extends string = string, R extends string = string> = {
  [C in RlsCommand]?: boolean | RlsCommandGate<P, R>;
};

/** Rows of an org-scoped table are also readable in every organization the user is an active member of. */
export interface RlsMembershipSource {
  table: string;
  userColumn: string;
  organizationColumn: string;
  /** When set, only memberships whose status column is `'active'` count. */
  statusColumn?: string;
}

/** One table's rule. */
export interface RlsTableRule<P extends string = string, R extends string = string> {
  kind: RlsTableKind;
  organizationColumn?: string;
  userColumn?: string;
  sharedUserColumn?: string;
  commands?: RlsCommands<P, R>;
  /** `org` kind only: SELECT also in the organizations of the user's memberships. */
  selectForMembers?: RlsMembershipSource;
  /**
   * Emergency access (`breakGlass`): SELECT also the rows whose `subjectColumn` names a person
   * the token's user holds an unexpired grant for (by the database clock), made in the token's
   * organization, and in the row's organization when the table has an organization column.
   */
  emergencyAccess?: RlsEmergencyAccess;
}

/** Where a table's rows name their data subject, for emergency access grants. */
export interface RlsEmergencyAccess {
  /** The column holding the person's id (a patient's WorkOS user id). */
  subjectColumn: string;
  /** orgkit's grants table. @default 'orgkit_emergency_access' */
  grantsTable?: string;
}

/** What {@link defineRlsModel} takes. */
export interface RlsModelInput<P extends string = string, R extends string = string> {
  tables: Record<string, RlsTableRule<P, R>>;
}

/** A checked model, made by {@link defineRlsModel}. */
export interface RlsModel {
  readonly kind: 'orgkit.rls-model';
  readonly tables: Readonly<Record<string, Readonly<RlsTableRule>>>;
}

const identifier = z.string().refine(isIdentifier, {
  message: 'not a plain SQL identifier (letters, digits, _; at most 63 characters)',
});
const gate = z.union([
  z.object({ permission: z.string().min(1).max(200) }).strict(),
  z.object({ orgRole: z.string().min(1).max(200) }).strict(),
]);
const command = z.union([z.boolean(), gate]);
const ruleSchema = z
  .object({
    kind: z.enum(['org', 'owner', 'shared', 'append-only', 'internal']),
    organizationColumn: identifier.optional(),
    userColumn: identifier.optional(),
    sharedUserColumn: identifier.optional(),
    commands: z
      .object({ select: command, insert: command, update: command, delete: command })
      .partial()
      .strict()
      .optional(),
    selectForMembers: z
      .object({
        table: identifier,
        userColumn: identifier,
        organizationColumn: identifier,
        statusColumn: identifier.optional(),
      })
      .strict()
      .optional(),
    emergencyAccess: z
      .object({ subjectColumn: identifier, grantsTable: identifier.optional() })
      .strict()
      .optional(),
  })
  .strict();
const modelSchema = z
  .object({ tables: z.record(z.string(), ruleSchema) })
  .strict()
  .refine((m) => Object.keys(m.tables).length > 0, { message: 'declare at least one table' });

/** The columns each kind needs. @internal */
const REQUIRED: Record<RlsTableKind, (keyof RlsTableRule)[]> = {
  org: ['organizationColumn'],
  owner: ['userColumn'],
  shared: ['organizationColumn', 'sharedUserColumn'],
  'append-only': ['organizationColumn'],
  internal: [],
};

function checkRule(table: string, rule: RlsTableRule): void {
  const fail = (key: string, message: string): never => {
    throw new OrgkitError('invalid_config', `defineRlsModel: tables.${table}.${key}: ${message}`, {
      details: { key: `tables.${table}.${key}` },
    });
  };
  for (const key of REQUIRED[rule.kind]) {
    if (!rule[key]) fail(key, `required for kind "${rule.kind}"`);
  }
  const commands = rule.commands ?? {};
  if (rule.kind === 'append-only' || rule.kind === 'internal') {
    for (const cmd of ['update', 'delete'] as const) {
      if (commands[cmd]) fail(`commands.${cmd}`, `kind "${rule.kind}" never allows ${cmd}`);
    }
  }
  if (rule.kind === 'internal' && (commands.select || commands.insert)) {
    fail('commands', 'kind "internal" allows no command');
  }
  if (rule.selectForMembers && rule.kind !== 'org') {
    fail('selectForMembers', 'only for kind "org"');
  }
  if (rule.emergencyAccess && (rule.kind === 'internal' || commands.select === false)) {
    fail('emergencyAccess', 'needs a table the request role selects from');
  }
}

/**
 * Declares which rows of which tables the request role may read and write; the input of
 * {@link generateRlsSql}. Pass the app's access model as the type parameter to have permission
 * and organization-role names checked at compile time.
 *
 * @example
 * ```ts
 * const model = defineRlsModel<typeof accessControl>({
 *   tables: {
 *     ...orgkitRlsTables(),
 *     events: { kind: 'org', organizationColumn: 'workos_org_id' },
 *     meetings: {
 *       kind: 'shared',
 *       organizationColumn: 'expert_org_id',
 *       sharedUserColumn: 'guest_workos_user_id',
 *       commands: { delete: { permission: 'meetings:delete' } },
 *     },
 *   },
 * })
 * ```
 */
export function defineRlsModel<AC extends AccessControl = AccessControl>(
  input: RlsModelInput<PermissionOf<AC>, OrgRoleOf<AC>>,
): RlsModel {
  const result = modelSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue?.path.join('.') ?? '';
    throw new OrgkitError(
      'invalid_config',
      `defineRlsModel: ${key ? `${key}: ` : ''}${issue?.message ?? 'invalid model'}`,
      { cause: result.error, details: { key } },
    );
  }
  const tables: Record<string, RlsTableRule> = {};
  for (const [table, rule] of Object.entries(result.data.tables)) {
    checkIdentifier(table, `defineRlsModel: tables.${table}`);
    checkRule(table, rule);
    tables[table] = rule;
  }
  return Object.freeze({ kind: 'orgkit.rls-model', tables: Object.freeze(tables) });
}

/** Whether `value` is a model made by {@link defineRlsModel}. @internal */
export function isRlsModel(value: unknown): value is RlsModel {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'orgkit.rls-model'
  );
}
