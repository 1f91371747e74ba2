import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { getTableName } from 'drizzle-orm';
import { migrate as migrateNodePostgres } from 'drizzle-orm/node-postgres/migrator';
import { integer, type PgTable, pgTable, text } from 'drizzle-orm/pg-core';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { createOrgkitTables } from '../../src/db/tables.js';
import type { RlsDrizzlePolicies } from '../../src/rls/index.js';
import type { TestDatabase } from '../../src/testing/database.js';

/** drizzle-kit's separator between the statements of one migration file. */
export const BREAKPOINT = '\n--> statement-breakpoint\n';

/** FIXTURE_DDL's tables, declared the way an app declares its own: policies in the third argument. */
export function fixtureTables(rls: RlsDrizzlePolicies) {
  return {
    events: pgTable(
      'events',
      {
        id: text('id').primaryKey(),
        workosOrgId: text('workos_org_id').notNull(),
        title: text('title').notNull().default(''),
      },
      () => rls.policiesFor('events'),
    ).enableRLS(),
    meetings: pgTable(
      'meetings',
      {
        id: text('id').primaryKey(),
        expertOrgId: text('expert_org_id').notNull(),
        guestWorkosUserId: text('guest_workos_user_id'),
        title: text('title').notNull().default(''),
      },
      () => rls.policiesFor('meetings'),
    ).enableRLS(),
    profiles: pgTable(
      'profiles',
      {
        id: text('id').primaryKey(),
        workosUserId: text('workos_user_id').notNull(),
        bio: text('bio').notNull().default(''),
      },
      () => rls.policiesFor('profiles'),
    ).enableRLS(),
    paymentTransfers: pgTable(
      'payment_transfers',
      {
        id: text('id').primaryKey(),
        workosOrgId: text('workos_org_id').notNull(),
        amount: integer('amount').notNull().default(0),
      },
      () => rls.policiesFor('payment_transfers'),
    ).enableRLS(),
  };
}

/**
 * orgkit's tables as `orgkit/drizzle` declares them, RLS enabled, and each model policy linked
 * to its table and exported by name (what a schema file does for tables it does not declare).
 */
export function linkedOrgkitTables(rls: RlsDrizzlePolicies): Record<string, unknown> {
  const tables: Record<string, PgTable> = createOrgkitTables();
  const exports: Record<string, unknown> = {};
  for (const [key, table] of Object.entries(tables)) {
    exports[key] = table;
    const name = getTableName(table);
    if (!(name in rls.policies)) continue;
    (table as PgTable & { enableRLS(): PgTable }).enableRLS();
    for (const policy of rls.policiesFor(name)) exports[policy.name] = policy.link(table);
  }
  return exports;
}

/**
 * The statements `drizzle-kit generate` writes for `schemaExports`, diffed from a snapshot of
 * `previousExports` (what the database already has: orgkit's tables, created by its migrations).
 */
export async function drizzleKitStatements(
  previousExports: Record<string, unknown>,
  schemaExports: Record<string, unknown>,
) {
  const previous = generateDrizzleJson(previousExports);
  const current = generateDrizzleJson(schemaExports, previous.id);
  return { statements: await generateMigration(previous, current), previous, current };
}

/**
 * Runs migration files through drizzle's own migrator, as an app's `migrate()` would: a journal,
 * one transaction, each file split at the statement breakpoints. The journal table lives in the
 * test's schema so parallel tests on one server never share it.
 */
export async function runDrizzleMigrations(
  test: TestDatabase,
  files: { tag: string; sql: string }[],
): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'orgkit-drizzle-kit-'));
  try {
    await mkdir(join(folder, 'meta'));
    const entries = files.map((file, idx) => ({
      idx,
      version: '7',
      when: 1_700_000_000_000 + idx,
      tag: file.tag,
      breakpoints: true,
    }));
    await writeFile(
      join(folder, 'meta', '_journal.json'),
      JSON.stringify({ version: '7', dialect: 'postgresql', entries }),
    );
    for (const file of files) await writeFile(join(folder, `${file.tag}.sql`), file.sql);
    const config = { migrationsFolder: folder, migrationsSchema: test.schema };
    if (test.kind === 'pglite') await migratePglite(test.db as never, config);
    else await migrateNodePostgres(test.db as never, config);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
