import { sql } from 'drizzle-orm';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgkitTables } from '../../src/db/tables.js';
import {
  defineRlsModel,
  type RlsTarget,
  rlsCompanionSql,
  rlsDrizzlePolicies,
  withRls,
} from '../../src/rls/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import {
  BREAKPOINT,
  drizzleKitStatements,
  fixtureTables,
  linkedOrgkitTables,
  runDrizzleMigrations,
} from './drizzle-kit.js';
import {
  ACTORS,
  type ActorName,
  appModel,
  as,
  asAndRollBack,
  attempt,
  execScript,
  installShims,
  ORG_A,
  ORG_B,
  prepare,
  rows,
} from './support.js';
import {
  claimsOf,
  KEY_COLUMN,
  type MatrixTable,
  seed,
  visibleKeys,
  MATRIX_WORLD as W,
} from './world.js';

const ACTOR_NAMES: ActorName[] = [...(Object.keys(ACTORS) as (keyof typeof ACTORS)[]), 'noClaims'];
const TABLES = Object.keys(KEY_COLUMN) as MatrixTable[];

/** What the policies and the companion leave in the catalogs, with the test's schema name masked. */
async function catalog(test: TestDatabase) {
  const s = test.schema;
  const mask = (list: Record<string, unknown>[]) =>
    list.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [
          k,
          typeof v === 'string' ? v.replaceAll(s, '<schema>') : v,
        ]),
      ),
    );
  // drizzle's own journal table lives in the test schema on the drizzle-kit side only.
  const notJournal = sql`c.relname NOT LIKE '\\_\\_drizzle%'`;
  return {
    policies: mask(
      await rows(
        test.db,
        sql`SELECT tablename, policyname, permissive, roles::text AS roles, cmd, qual, with_check
            FROM pg_policies WHERE schemaname = ${s} ORDER BY tablename, policyname`,
      ),
    ),
    tables: await rows(
      test.db,
      sql`SELECT c.relname, c.relkind::text AS kind, c.relrowsecurity, c.relforcerowsecurity, c.relacl::text AS acl
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ${s} AND c.relkind IN ('r', 'S') AND ${notJournal} ORDER BY c.relname`,
    ),
    indexes: mask(
      await rows(
        test.db,
        sql`SELECT indexname, indexdef FROM pg_indexes
            WHERE schemaname = ${s} AND indexname NOT LIKE '\\_\\_drizzle%' ORDER BY indexname`,
      ),
    ),
    functions: mask(
      await rows(
        test.db,
        sql`SELECT p.proname, p.prosrc, p.prosecdef, array_to_string(p.proconfig, ',') AS config, p.proacl::text AS acl
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = ${s} AND p.proname LIKE 'orgkit_rls_%' ORDER BY p.proname`,
      ),
    ),
  };
}

/** Applies `appModel` the drizzle-kit way: companion, drizzle-kit's migration, companion. */
async function applyThroughDrizzleKit(test: TestDatabase, target: RlsTarget) {
  const rls = rlsDrizzlePolicies(appModel, { target, schema: test.schema });
  const companion = rlsCompanionSql(appModel, { target, schema: test.schema });
  const schema = { ...linkedOrgkitTables(rls), ...fixtureTables(rls), authenticated: rls.role };
  const kit = await drizzleKitStatements({ ...createOrgkitTables() }, schema);
  await runDrizzleMigrations(test, [
    { tag: '0000_rls_before', sql: companion.beforePolicies },
    { tag: '0001_tables_and_policies', sql: kit.statements.join(BREAKPOINT) },
    { tag: '0002_rls_after', sql: companion.afterPolicies },
  ]);
  return { kit, companion, schema };
}

const WRITES: [ActorName, string][] = [
  ['sameOrgMember', `INSERT INTO events (id, workos_org_id) VALUES ('new', '${ORG_A}')`],
  ['sameOrgMember', `INSERT INTO events (id, workos_org_id) VALUES ('new', '${ORG_B}')`],
  ['sameOrgMember', `UPDATE events SET workos_org_id = '${ORG_B}' WHERE id = 'e_A1'`],
  ['sameOrgMember', `INSERT INTO profiles (id, workos_user_id) VALUES ('new', 'user_a1')`],
  ['noClaims', `INSERT INTO profiles (id, workos_user_id) VALUES ('new', 'user_a1')`],
  ['sameOrgAdmin', `UPDATE audit_logs SET action = 'x'`],
  [
    'sameOrgAdmin',
    `INSERT INTO audit_logs (action, workos_org_id, actor_workos_user_id) VALUES ('t', '${ORG_A}', 'user_b1')`,
  ],
  ['guest', `INSERT INTO organizations (workos_org_id, name) VALUES ('org_new', 'x')`],
];

describe.each(DATABASE_TARGETS)(
  'drizzle-kit migration of rlsDrizzlePolicies on $name',
  (database) => {
    describe.each<RlsTarget>(['postgres', 'neon', 'supabase'])('target %s', (target) => {
      let viaKit: TestDatabase;
      let viaSql: TestDatabase;
      let applied: Awaited<ReturnType<typeof applyThroughDrizzleKit>>;
      beforeAll(async () => {
        viaKit = await openTestDatabase(database, { plain: true });
        viaSql = await openTestDatabase(database, { plain: true });
        if (target !== 'postgres') await installShims(viaKit.db);
        applied = await applyThroughDrizzleKit(viaKit, target);
        await prepare(viaSql, target);
        await seed(viaKit.db, W);
        await seed(viaSql.db, W);
      });
      afterAll(async () => {
        await viaKit?.close();
        await viaSql?.close();
      });

      it('leaves the same policies, RLS flags, grants, indexes and helper as generateRlsSql', async () => {
        const kit = await catalog(viaKit);
        expect(kit).toEqual(await catalog(viaSql));
        // It did set something.
        expect(kit.policies.length).toBeGreaterThan(20);
        expect(kit.tables.filter((t) => t.kind === 'r' && !t.relforcerowsecurity)).toEqual([]);
        expect(kit.functions).toHaveLength(1);
      });

      it('drizzle-kit wrote every policy with its literals inline, and no role statement', async () => {
        const { statements, current } = applied.kit;
        const text = statements.join('\n');
        expect(text).not.toMatch(/\$\d/);
        expect(text).toContain(`? 'meetings:delete'`);
        expect(text).toContain(`? 'audit:read'`);
        expect(text).not.toMatch(/\b(CREATE|ALTER|DROP) ROLE\b/);
        expect(current.roles).toEqual({});
        // The next `drizzle-kit generate` from the same schema finds nothing to change.
        expect((await drizzleKitStatements(applied.schema, applied.schema)).statements).toEqual([]);
        const policies = statements.filter((s) => s.startsWith('CREATE POLICY'));
        expect(policies).toHaveLength(
          Object.values(rlsDrizzlePolicies(appModel, { target }).policies).flat().length,
        );
      });

      it('the companion applies again without changing anything', async () => {
        const before = await catalog(viaKit);
        await viaKit.db.transaction(async (tx) => {
          const { beforePolicies, afterPolicies } = applied.companion;
          for (const statement of [
            ...beforePolicies.split(BREAKPOINT),
            ...afterPolicies.split(BREAKPOINT),
          ])
            await tx.execute(sql.raw(statement));
        });
        expect(await catalog(viaKit)).toEqual(before);
      });

      it.each(ACTOR_NAMES)(
        '%s reads the same rows of every table as under generateRlsSql',
        async (actor) => {
          const read = (test: TestDatabase) =>
            Promise.all(
              TABLES.map(async (table) => {
                const got = await as(test.db, actor, (tx) =>
                  rows<{ k: string }>(
                    tx,
                    sql.raw(`SELECT ${KEY_COLUMN[table]} AS k FROM ${table}`),
                  ),
                );
                return { table, keys: got.map((r) => r.k).sort() };
              }),
            );
          const claims = actor === 'noClaims' ? undefined : claimsOf(ACTORS[actor]);
          const viaKitRows = await read(viaKit);
          expect(viaKitRows).toEqual(await read(viaSql));
          expect(viaKitRows).toEqual(
            TABLES.map((table) => ({ table, keys: visibleKeys(W, table, claims) })),
          );
        },
      );

      it('writes are allowed and refused alike', async () => {
        const outcomes = (test: TestDatabase) =>
          Promise.all(
            WRITES.map(([actor, statement]) =>
              attempt(() => asAndRollBack(test.db, actor, (tx) => tx.execute(sql.raw(statement)))),
            ),
          );
        const viaKitOutcomes = await outcomes(viaKit);
        expect(viaKitOutcomes).toEqual(await outcomes(viaSql));
        expect(viaKitOutcomes).toEqual([
          'ok',
          'rls',
          'rls',
          'ok',
          'rls',
          'denied',
          'rls',
          'denied',
        ]);
        const deleted = (test: TestDatabase, actor: ActorName) =>
          asAndRollBack(test.db, actor, (tx) =>
            rows<{ k: string }>(
              tx,
              sql.raw('WITH d AS (DELETE FROM meetings RETURNING id) SELECT id AS k FROM d'),
            ),
          ).then((r) => r.map((x) => x.k).sort());
        expect(await deleted(viaKit, 'sameOrgAdmin')).toEqual(['m_A1', 'm_A2']);
        expect(await deleted(viaKit, 'sameOrgMember')).toEqual([]);
      });
    });
  },
);

describe.each(DATABASE_TARGETS)('the membership helper ahead of its table on $name', (database) => {
  it('drizzle-kit creates the membership table after the helper that reads it, and the policy works', async () => {
    const test = await openTestDatabase(database, { plain: true });
    try {
      const model = defineRlsModel({
        tables: {
          projects: {
            kind: 'org',
            organizationColumn: 'org_id',
            selectForMembers: {
              table: 'project_members',
              userColumn: 'user_id',
              organizationColumn: 'org_id',
            },
          },
          project_members: { kind: 'owner', userColumn: 'user_id' },
        },
      });
      const options = { target: 'postgres', schema: test.schema } as const;
      const rls = rlsDrizzlePolicies(model, options);
      const companion = rlsCompanionSql(model, options);
      const schema = {
        projects: pgTable(
          'projects',
          { id: text('id').primaryKey(), orgId: text('org_id').notNull() },
          () => rls.policiesFor('projects'),
        ).enableRLS(),
        projectMembers: pgTable(
          'project_members',
          {
            id: text('id').primaryKey(),
            userId: text('user_id').notNull(),
            orgId: text('org_id').notNull(),
          },
          () => rls.policiesFor('project_members'),
        ).enableRLS(),
        authenticated: rls.role,
      };
      const { statements } = await drizzleKitStatements({}, schema);
      expect(statements[0]).toMatch(/^CREATE TABLE "project/);
      await runDrizzleMigrations(test, [
        { tag: '0000_rls_before', sql: companion.beforePolicies },
        { tag: '0001_tables_and_policies', sql: statements.join(BREAKPOINT) },
        { tag: '0002_rls_after', sql: companion.afterPolicies },
      ]);
      await execScript(
        test.db,
        `INSERT INTO projects VALUES ('p_x', 'org_x'), ('p_y', 'org_y'), ('p_z', 'org_z');
         INSERT INTO project_members VALUES ('pm_1', 'user_m', 'org_y');`,
      );
      const seen = await withRls(test.db, sessionFor('user_m', { organizationId: 'org_x' }), (tx) =>
        rows<{ id: string }>(tx, sql`SELECT id FROM projects ORDER BY id`),
      );
      expect(seen.map((r) => r.id)).toEqual(['p_x', 'p_y']);
    } finally {
      await test.close();
    }
  });
});
