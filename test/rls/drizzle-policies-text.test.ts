import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { sql } from 'drizzle-orm';
import { PgDialect, pgPolicy, pgSchema, pgTable, text } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defineRlsModel,
  generateRlsSql,
  type RlsCommandGate,
  type RlsDrizzlePolicies,
  type RlsTarget,
  rlsCompanionSql,
  rlsDrizzlePolicies,
} from '../../src/rls/index.js';
import { appModel } from './support.js';

const RUNS = Number(process.env.ORGKIT_RLS_PROPERTY_RUNS ?? 100);

// Quotes, `$1`, `?` and `;` are what a careless renderer turns into placeholders or breaks on.
const label = fc.string({
  minLength: 1,
  maxLength: 12,
  unit: fc.oneof(fc.constantFrom("'", '"', '$1', '?', ';', '(', ')', '\\', '--'), fc.constant('a')),
});
const gate: fc.Arbitrary<boolean | RlsCommandGate> = fc.oneof(
  fc.boolean(),
  label.map((permission) => ({ permission })),
  label.map((orgRole) => ({ orgRole })),
);
const identifier = fc
  .stringMatching(/^[a-z_][a-z0-9_]{0,15}$/)
  // Names Postgres reserves for roles (drizzle-kit writes them as keywords, unquoted).
  .filter(
    (name) => !['public', 'current_user', 'current_role', 'session_user', 'none'].includes(name),
  );
const hasDashes = (gates: (boolean | RlsCommandGate)[]) =>
  gates.some((g) => typeof g === 'object' && Object.values(g).some((v) => v.includes('--')));
const caseArb = fc.record({
  target: fc.constantFrom<RlsTarget>('postgres', 'neon', 'supabase'),
  role: identifier,
  schema: fc.oneof(fc.constant('public'), identifier),
  revokeFrom: fc.array(identifier, { maxLength: 3 }),
  gates: fc.array(gate, { minLength: 8, maxLength: 8 }),
});

function modelOf(g: (boolean | RlsCommandGate)[]) {
  return defineRlsModel({
    tables: {
      docs: {
        kind: 'org',
        organizationColumn: 'org_id',
        selectForMembers: { table: 'members', userColumn: 'user_id', organizationColumn: 'org_id' },
        commands: { select: g[0], update: g[1], delete: g[2] },
      },
      notes: {
        kind: 'shared',
        organizationColumn: 'org_id',
        sharedUserColumn: 'guest_id',
        commands: { select: g[3], insert: g[4] },
      },
      diaries: { kind: 'owner', userColumn: 'user_id', commands: { insert: g[5], delete: g[6] } },
      ledger: {
        kind: 'append-only',
        organizationColumn: 'org_id',
        userColumn: 'user_id',
        commands: { select: g[7] },
      },
      members: { kind: 'internal' },
    },
  });
}

/** Each model table as an app declares it, in `schema`, with its policies. */
function tablesOf(rls: RlsDrizzlePolicies, schema: string) {
  // pgSchema refuses 'public': tables there are plain pgTable ones.
  const inSchema = schema === 'public' ? undefined : pgSchema(schema);
  return Object.fromEntries(
    Object.keys(rls.policies).map((name) => {
      const policies = () => rls.policiesFor(name);
      const columns = { id: text('id') };
      const table = inSchema
        ? inSchema.table(name, columns, policies)
        : pgTable(name, columns, policies);
      return [name, table.enableRLS()];
    }),
  );
}

/** generateRlsSql's CREATE POLICY statements on one line each, as drizzle-kit writes them. */
function policiesOfGenerated(text: string, schema: string): string[] {
  return (text.match(/^CREATE POLICY [\s\S]*?;$/gm) ?? []).map((statement) => {
    const flat = statement
      .replaceAll('\n  USING (', ' USING (')
      .replaceAll('\n  WITH CHECK (', ' WITH CHECK (');
    return schema === 'public' ? flat.replace(/ ON "public"\./, ' ON ') : flat;
  });
}

/** The lines of `text` that are neither comments, nor blank, nor in `drop`. */
function statementLines(text: string, drop: RegExp): string[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('--') && !drop.test(line));
}

describe('rlsDrizzlePolicies and rlsCompanionSql text', () => {
  it('drizzle-kit writes exactly the policies generateRlsSql writes, for any gates, role and schema', async () => {
    await fc.assert(
      // A `--` in a name is refused (drizzle-kit's snapshot splits on it): tested below.
      fc.asyncProperty(
        caseArb.filter((c) => !hasDashes(c.gates)),
        async ({ target, role, schema, gates }) => {
          const model = modelOf(gates);
          const rls = rlsDrizzlePolicies(model, { target, role, schema });
          const previous = generateDrizzleJson({});
          const current = generateDrizzleJson(
            { ...tablesOf(rls, schema), role: rls.role },
            previous.id,
          );
          const kit = (await generateMigration(previous, current)).filter((s) =>
            s.startsWith('CREATE POLICY'),
          );
          const generated = policiesOfGenerated(
            generateRlsSql(model, { target, role, schema }),
            schema,
          );
          expect(generated.length).toBeGreaterThan(0);
          expect([...kit].sort()).toEqual([...generated].sort());
          // No value was bound as a parameter: drizzle would have rendered it as $n.
          const dialect = new PgDialect();
          for (const policy of Object.values(rls.policies).flat()) {
            for (const part of [policy.using, policy.withCheck]) {
              if (part) expect(dialect.sqlToQuery(part).params).toEqual([]);
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('the companion is generateRlsSql without its policies, statement for statement and in order', () => {
    fc.assert(
      fc.property(caseArb, ({ target, role, schema, revokeFrom, gates }) => {
        const model = modelOf(gates);
        const options = { target, role, schema, revokeFrom };
        const companion = rlsCompanionSql(model, options);
        const full = statementLines(
          generateRlsSql(model, options),
          /^(BEGIN;|COMMIT;|DROP POLICY |CREATE POLICY | {2}USING \(| {2}WITH CHECK \()/,
        );
        const parts = statementLines(
          `${companion.beforePolicies}\n${companion.afterPolicies}`,
          /^SET LOCAL check_function_bodies/,
        );
        expect(parts).toEqual(full);
        expect(companion.afterPolicies).toContain('FORCE ROW LEVEL SECURITY');
        expect(`${companion.beforePolicies}${companion.afterPolicies}`).not.toMatch(
          /POLICY|BEGIN;|COMMIT;/,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a permission or role name containing "--", which drizzle-kit would corrupt', async () => {
    const model = (gate: RlsCommandGate) =>
      defineRlsModel({
        tables: { docs: { kind: 'org', organizationColumn: 'org_id', commands: { delete: gate } } },
      });
    for (const gate of [{ permission: 'docs--delete' }, { orgRole: 'a--' }]) {
      expect(() => rlsDrizzlePolicies(model(gate), { target: 'postgres' })).toThrowError(
        expect.objectContaining({
          code: 'invalid_config',
          message: expect.stringContaining('tables.docs: the policy "docs_delete"'),
        }),
      );
    }
    // What it guards against: drizzle-kit's migration for such a policy is not the policy.
    const generated = generateRlsSql(model({ permission: 'docs--delete' }), { target: 'postgres' });
    const using = generated.match(/"docs_delete" ON [^\n]*\n {2}USING \((.*)\);$/m)?.[1];
    expect(using).toContain(`? 'docs--delete'`);
    const previous = generateDrizzleJson({});
    const current = generateDrizzleJson(
      {
        docs: pgTable('docs', { id: text('id') }, () => [
          pgPolicy('docs_delete', {
            for: 'delete',
            to: 'authenticated',
            using: sql.raw(using ?? ''),
          }),
        ]),
      },
      previous.id,
    );
    const [kit] = (await generateMigration(previous, current)).filter((s) =>
      s.startsWith('CREATE POLICY'),
    );
    expect(kit).toMatch(/^CREATE POLICY "docs_delete"/);
    expect(kit).not.toContain(`? 'docs--delete'`);
  });

  it('gives every table of the model an entry, internal ones none, and the role as existing', () => {
    const rls = rlsDrizzlePolicies(appModel, { target: 'supabase' });
    expect(Object.keys(rls.policies)).toEqual(Object.keys(appModel.tables));
    expect(rls.policiesFor('orgkit_sync_cursors')).toEqual([]);
    expect(rls.policiesFor('meetings').map((p) => [p.name, p.as, p.for])).toEqual([
      ['meetings_select', 'permissive', 'select'],
      ['meetings_insert', 'permissive', 'insert'],
      ['meetings_update', 'permissive', 'update'],
      ['meetings_delete', 'permissive', 'delete'],
    ]);
    expect(rls.policiesFor('meetings').every((p) => p.to === rls.role)).toBe(true);
    const separate = rlsDrizzlePolicies(appModel, {
      target: 'supabase',
      permissivePolicies: 'separate',
    });
    expect(separate.policiesFor('meetings').map((p) => p.name)).toEqual([
      'meetings_select',
      'meetings_select_shared_user',
      'meetings_insert',
      'meetings_update',
      'meetings_delete',
    ]);
    expect(rls.role.name).toBe('authenticated');
    expect((rls.role as unknown as { _existing?: boolean })._existing).toBe(true);
  });

  it('rejects bad input with invalid_input naming the problem', () => {
    const invalid = (text: string) =>
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining(text) });
    for (const [name, run] of [
      ['rlsDrizzlePolicies', (m: never, o: never) => rlsDrizzlePolicies(m, o)],
      ['rlsCompanionSql', (m: never, o: never) => rlsCompanionSql(m, o)],
    ] as const) {
      expect(() => run({ tables: {} } as never, { target: 'postgres' } as never)).toThrowError(
        invalid(`${name}: model`),
      );
      expect(() => run(appModel as never, { target: 'mysql' } as never)).toThrowError(
        invalid('target'),
      );
      expect(() =>
        run(appModel as never, { target: 'neon', role: 'x"; DROP' } as never),
      ).toThrowError(invalid('role'));
      expect(() => run(appModel as never, { target: 'neon', schema: 'a b' } as never)).toThrowError(
        invalid('schema'),
      );
      expect(() => run(appModel as never, undefined as never)).toThrowError(invalid(name));
    }
    // Policies are only policies: the roles to revoke from belong to the companion.
    expect(() =>
      rlsDrizzlePolicies(appModel, { target: 'neon', revokeFrom: ['anon'] } as never),
    ).toThrowError(invalid('revokeFrom'));
    expect(() => rlsCompanionSql(appModel, { target: 'neon', revokeFrom: ['x y'] })).toThrowError(
      invalid('revokeFrom'),
    );
    const rls = rlsDrizzlePolicies(appModel, { target: 'neon' });
    expect(() => rls.policiesFor('evnets')).toThrowError(invalid('"evnets" is not a table'));
    expect(() => rls.policiesFor('toString')).toThrowError(invalid('"toString"'));
  });
});
