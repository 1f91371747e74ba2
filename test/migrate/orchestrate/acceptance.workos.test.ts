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
// The 2,000 users take three minutes on two cores: CI's npm test step runs them
// (ORGKIT_MIGRATE_ACCEPTANCE_USERS=2000); a contributor's npm test runs the same assertions on 200.
const USERS = Number(process.env.ORGKIT_MIGRATE_ACCEPTANCE_USERS ?? 200);
const MODES = ['personal', 'mapped', 'none'] as const;
/** Every 4th user belongs to one of two shared organizations (personal and mapped modes). */
const mappedOrgOf = (i: number) => (i % 4 === 0 ? (i % 8 === 0 ? 'acme' : 'globex') : undefined);

// The issue's acceptance check. One database target only: the 2,000 users' WorkOS side is the
// slow part and the same on every database, and the database step's SQL is covered on PGlite and
// real Postgres by the CLI test and the undo test.
describe.each(MODES)(
  'the issue acceptance check: a generated export of 2,000 users, organizations %s',
  (mode) => {
    it('migrates every valid user once with the right fields, into WorkOS and the database, and reports every bad record with its reason', async () => {
      const dir = await newDir();
      const { json, expected, badRecords } = generateJsonExport(USERS, 'user_big');
      const organizationMapping = expected.flatMap((e, i) => {
        const org = mappedOrgOf(i);
        return org
          ? [{ recordNumber: i + 1, clerkUserId: e.clerkUserId, orgExternalId: org, orgName: org }]
          : [];
      });
      const mappedOrg = new Map(organizationMapping.map((m) => [m.clerkUserId, m.orgExternalId]));
      // The organization each user must end in: its mapped one, a personal one, or none.
      const orgKeyOf = (clerkUserId: string, workosUserId: string) =>
        mode === 'none'
          ? undefined
          : (mappedOrg.get(clerkUserId) ??
            (mode === 'personal' ? `personal:${workosUserId}` : undefined));
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
          config: { organizationMode: mode, ...(mode === 'none' ? {} : { organizationMapping }) },
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
          summary.workos.problems.map((p) => [
            p.recordNumber,
            p.status,
            p.code,
            p.reason.length > 0,
          ]),
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

        // WorkOS: each valid user once, with its fields; its organization and membership (a
        // personal one as owner, a mapped one as member, or none); the bcrypt digests and TOTP
        // secrets sent, nothing else.
        const users = await (await env.workos.userManagement.listUsers()).autoPagination();
        expect(users).toHaveLength(USERS);
        const byExternalId = new Map(users.map((u) => [u.externalId, u]));
        expect(byExternalId.size).toBe(USERS);
        const organizations = await (
          await env.workos.organizations.listOrganizations()
        ).autoPagination();
        const personal = mode === 'personal' ? USERS - organizationMapping.length : 0;
        const shared = mode === 'none' ? 0 : 2;
        expect(organizations).toHaveLength(personal + shared);
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
        expect(memberships).toHaveLength(
          mode === 'none' ? 0 : personal + organizationMapping.length,
        );
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
          organizationId: string | null;
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
          const orgKey = orgKeyOf(want.clerkUserId, user.id);
          const org = orgKey === undefined ? undefined : orgByExternalId.get(orgKey)!;
          if (org) {
            expect(membershipByUser.get(user.id)).toMatchObject({
              organization_id: org.id,
              role_slug: orgKey!.startsWith('personal:') ? 'owner' : 'member',
            });
          } else expect(membershipByUser.has(user.id)).toBe(false);
          expect(factorUsers.includes(user.id)).toBe(want.totp);
          expect(map.find((m) => m.clerkUserId === want.clerkUserId)).toMatchObject({
            workosUserId: user.id,
            organizationId: org?.id ?? null,
          });
          const row = rowById.get(user.id)!;
          expect(row.email).toBe(want.email);
          expect(row.role).toBe(want.appRole);
          expect(row.prefs).toEqual(want.preferences);
          expect(row.org).toBe(org?.id ?? null);
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
  },
);
