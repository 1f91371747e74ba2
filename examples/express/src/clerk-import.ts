import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accessControl,
  type DemoPerson,
  preferencesSchema,
  SETUP_STEPS,
} from '@orgkit-examples/clinic';
import type { WorkOS } from '@workos-inc/node';
import type { OrgkitDatabase } from 'orgkit/drizzle';
import {
  type MigrateFromClerkSummary,
  migrateFromClerk,
  readClerkMigrationConfig,
} from 'orgkit/migrate';

/** The sample Clerk export and its migration config, shipped with the example. */
export const CLERK_SAMPLE = {
  input: join(import.meta.dirname, '..', 'clerk-sample', 'users.json'),
  config: join(import.meta.dirname, '..', 'clerk-sample', 'migrate.json'),
};

/** People of the sample export to try once it is imported (the start and sign-in pages list them). */
export const CLERK_SAMPLE_PEOPLE: DemoPerson[] = [
  {
    email: 'lin.chen@lakeside-clinic.example',
    role: 'expert, Lakeside Clinic, imported from Clerk',
  },
  {
    email: 'omar.haddad@lakeside-clinic.example',
    role: 'admin, Lakeside Clinic, imported from Clerk',
  },
];

/** What the import needs: the app's own WorkOS client and database. */
export interface ClerkImportOptions {
  workos: WorkOS;
  database: OrgkitDatabase;
  /** The run directory (lock, manifest, logs); a fresh temporary one when omitted. */
  outDir?: string | undefined;
}

/**
 * Imports the sample Clerk export into the app's WorkOS and database with `migrateFromClerk`,
 * the function behind `orgkit migrate clerk`. Called here rather than through the CLI because
 * the CLI knows only orgkit's default roles, steps and preferences: the clinic's (app role
 * `expert`, its three setup steps, its preferences schema) are passed as `metadata`.
 */
export async function importClerkSample(o: ClerkImportOptions): Promise<MigrateFromClerkSummary> {
  // A temporary run directory goes with the emulator's data: nothing is left to resume or undo.
  const outDir = o.outDir ?? (await mkdtemp(join(tmpdir(), 'orgkit-clerk-import-')));
  try {
    return await migrateFromClerk({
      input: CLERK_SAMPLE.input,
      outDir,
      workos: o.workos,
      database: o.database,
      config: await readClerkMigrationConfig(CLERK_SAMPLE.config),
      metadata: {
        accessControl,
        preferences: { schema: preferencesSchema },
        expertSetup: { steps: [...SETUP_STEPS] },
      },
    });
  } finally {
    if (!o.outDir) await rm(outDir, { recursive: true, force: true });
  }
}

/** The summary as lines, the way `orgkit migrate clerk` prints it: numbers and Clerk ids, never an email. */
export function describeClerkImport(summary: MigrateFromClerkSummary): string[] {
  const c = summary.workos.counts;
  const lines = [
    `Clerk import: ${c.created} created, ${c.matched} matched, ${summary.alreadyMigrated} already migrated, ${c.skipped} skipped, ${c.failed} failed`,
  ];
  const d = summary.database;
  if (d) {
    lines.push(
      `  database: ${d.applied} users applied, ${d.failed.length} failed, ${d.warnings.length} with metadata warnings`,
    );
  }
  for (const { recordNumber, clerkUserId, warnings } of summary.workos.warnings) {
    for (const w of warnings) lines.push(`  record ${recordNumber} (${clerkUserId}): ${w.code}`);
  }
  for (const p of summary.workos.problems) {
    lines.push(`  record ${p.recordNumber} (${p.clerkUserId ?? 'no id'}): ${p.status} ${p.code}`);
  }
  for (const f of d?.failed ?? []) {
    lines.push(`  record ${f.recordNumber} (${f.clerkUserId}): database failed ${f.code}`);
  }
  return lines;
}
