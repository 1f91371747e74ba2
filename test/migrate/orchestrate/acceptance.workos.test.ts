import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../../src/db/database.js';
import { migrateFromClerk } from '../../../src/migrate/index.js';
import { openTestDatabase } from '../../support/databases.js';
import { FAST_RETRY, recordingClient, setupMigrationEmulator, tempDirs } from '../run/support.js';
import { generateJsonExport } from './support.js';

const env = setupMigrationEmulator();
const newDir = tempDirs();
const USERS = 2_000;

// The issue's acceptance check. One database target only: the 2,000 users' WorkOS side is the
// slow part and the same on every database, and the database step's SQL is covered on PGlite and
// real Postgres by the CLI test and the undo test.
describe('the issue acceptance check: a generated export of 2,000 users', () => {
  it('migrates every valid user once with the right fields, into WorkOS and the database, and reports every bad record with its reason', async () => {
    const dir = await newDir();
    const { json, expected, badRecords } = generateJsonExport(USERS, 'user_big');
    const input = join(dir, 'users.json');
    await writeFile(input, json);
    const database = await openTestDatabase({ url: undefined });
    const client = recordingClient(env.emulator);
    try {
      const summary = await migrateFromClerk({
        input,
        outDir: join(dir, 'run'),
        workos: client.workos,
        database: database.db,
        concurrency: 16,
        retry: FAST_RETRY,
      });

      expect(summary.workos.counts).toEqual({
        created: USERS,
        matched: 0,
        skipped: badRecords.length,
        failed: 0,
      });
      expect(summary.ok).toBe(false);
      // Every bad record, by number, with the reason the input reader gave.
      expect(
        summary.workos.problems.map((p) => [p.recordNumber, p.status, p.code, p.reason.length > 0]),
      ).toEqual([
        [badRecords[0], 'skipped', 'duplicate_email', true],
        [badRecords[1], 'skipped', 'duplicate_id', true],
        [badRecords[2], 'skipped', 'invalid_email', true],
        [badRecords[3], 'skipped', 'missing_email', true],
      ]);
      expect(summary.database).toMatchObject({ applied: USERS, alreadyApplied: 0, failed: [] });
      const notImported = summary.workos.warnings.filter((w) =>
        w.warnings.some((x) => x.code.startsWith('password_not_imported')),
      );
      expect(notImported.map((w) => w.clerkUserId)).toEqual(
        expected.filter((e) => e.passwordNotImported).map((e) => e.clerkUserId),
      );

      // WorkOS: each valid user once, with its fields; a personal organization and an owner
      // membership each; the bcrypt digests and TOTP secrets sent, nothing else.
      const users = await (await env.workos.userManagement.listUsers()).autoPagination();
      expect(users).toHaveLength(USERS);
      const byExternalId = new Map(users.map((u) => [u.externalId, u]));
      expect(byExternalId.size).toBe(USERS);
      const organizations = await (
        await env.workos.organizations.listOrganizations()
      ).autoPagination();
      expect(organizations).toHaveLength(USERS);
      const orgByExternalId = new Map(organizations.map((o) => [o.externalId, o]));
      const writes = client.writes();
      const createBodies = new Map(
        writes
          .filter((r) => r.path === '/user_management/users')
          .map((r) => [r.body!.external_id as string, r.body!]),
      );
      const memberships = writes.filter(
        (r) => r.path === '/user_management/organization_memberships',
      );
      expect(memberships).toHaveLength(USERS);
      const membershipByUser = new Map(
        memberships.map((r) => [r.body!.user_id as string, r.body!]),
      );
      const factorUsers = writes
        .filter((r) => r.path.endsWith('/auth_factors'))
        .map((r) => r.path.split('/')[3]);
      expect(factorUsers).toHaveLength(expected.filter((e) => e.totp).length);
      const map = JSON.parse(await readFile(summary.workos.userMapPath!, 'utf8')) as {
        clerkUserId: string;
        workosUserId: string;
        organizationId: string;
      }[];
      expect(map).toHaveLength(USERS);

      const rows = rowsOf<{
        id: string;
        email: string;
        role: string;
        steps: unknown;
        prefs: unknown;
        org: string | null;
      }>(
        await database.db.execute(sql`
          SELECT u.workos_user_id AS id, u.email, u.role, e.setup_status AS steps,
            p.preferences AS prefs, p.workos_org_id AS org
          FROM users u LEFT JOIN expert_setup e USING (workos_user_id)
          LEFT JOIN user_preferences p USING (workos_user_id)`),
      );
      expect(rows).toHaveLength(USERS);
      const rowById = new Map(rows.map((r) => [r.id, r]));

      for (const want of expected) {
        const user = byExternalId.get(want.clerkUserId)!;
        expect(user.email).toBe(want.email);
        expect(user.emailVerified).toBe(want.verified);
        expect(user.firstName ?? undefined).toBe(want.firstName);
        expect(user.lastName ?? undefined).toBe(want.lastName);
        const body = createBodies.get(want.clerkUserId)!;
        expect(body.password_hash).toBe(want.passwordHash);
        expect(body.password_hash_type).toBe(want.passwordHash ? 'bcrypt' : undefined);
        const org = orgByExternalId.get(`personal:${user.id}`)!;
        expect(membershipByUser.get(user.id)).toMatchObject({
          organization_id: org.id,
          role_slug: 'owner',
        });
        expect(factorUsers.includes(user.id)).toBe(want.totp);
        expect(map.find((m) => m.clerkUserId === want.clerkUserId)).toMatchObject({
          workosUserId: user.id,
          organizationId: org.id,
        });
        const row = rowById.get(user.id)!;
        expect(row.email).toBe(want.email);
        expect(row.role).toBe(want.appRole);
        expect(row.prefs).toEqual(want.preferences);
        expect(row.org).toBe(org.id);
        const steps = row.steps as Record<string, boolean> | null;
        if (want.steps) {
          expect(
            Object.keys(steps!)
              .filter((k) => steps![k])
              .sort(),
          ).toEqual([...want.steps].sort());
        } else expect(steps).toBeNull();
      }
    } finally {
      await database.close();
    }
  }, 240_000);
});
