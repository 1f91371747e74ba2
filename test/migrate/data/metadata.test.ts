import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RequestScopeStore } from '../../../src/context/index.js';
import { rowsOf } from '../../../src/db/database.js';
import { createOrgkitTables } from '../../../src/db/tables.js';
import { isOrgkitError } from '../../../src/errors/index.js';
import { createExpertSetup } from '../../../src/expert-setup/index.js';
import {
  type ClerkMetadataImporterOptions,
  type ClerkUserRecord,
  createClerkMetadataImporter,
  type MigratedClerkUser,
} from '../../../src/migrate/index.js';
import { createPreferences } from '../../../src/preferences/index.js';
import { auditRows, expectChainsValid, openAudit } from '../../preferences/audit-support.js';
import { JOB } from '../../preferences/support.js';
import { DATABASE_TARGETS, openTestDatabase } from '../../support/databases.js';
import { clerkRecord, snapshot } from './support.js';

const ORGKIT_TABLES = [
  'users',
  'expert_setup',
  'user_preferences',
  'audit_logs',
  'orgkit_clerk_profiles',
];
const tables = createOrgkitTables();

async function open(
  target: { url: string | undefined },
  options: Partial<ClerkMetadataImporterOptions> = {},
) {
  const database = await openTestDatabase(target);
  const importer = createClerkMetadataImporter({ database: database.db, ...options });
  const scope = new RequestScopeStore();
  const prefs = createPreferences({ db: database.db, tables, scope });
  const setup = createExpertSetup({
    db: database.db,
    tables,
    scope,
    hasPermission: async () => false,
  });
  let n = 0;
  /** A user migrated with the given metadata; ids numbered per test. */
  const user = (record: Partial<ClerkUserRecord> = {}): MigratedClerkUser => {
    n += 1;
    return {
      record: clerkRecord(`user_2clerk${n}`, record),
      workosUserId: `user_01WORKOS${n}`,
      organizationId: `org_01PERSONAL${n}`,
    };
  };
  const roleOf = async (workosUserId: string) =>
    rowsOf<{ role: string }>(
      await database.db.execute(sql`SELECT role FROM users WHERE workos_user_id = ${workosUserId}`),
    )[0]?.role;
  const orgOf = async (table: 'expert_setup' | 'user_preferences', workosUserId: string) =>
    rowsOf<{ org: string | null }>(
      await database.db.execute(
        sql`SELECT workos_org_id AS org FROM ${sql.identifier(table)} WHERE workos_user_id = ${workosUserId}`,
      ),
    )[0]?.org;
  return { ...database, importer, prefs, setup, user, roleOf, orgOf };
}

describe.each(DATABASE_TARGETS)('createClerkMetadataImporter on $name', (target) => {
  it('maps every seed role, the strongest first, and reports Clerk roles it does not know', async () => {
    const t = await open(target);
    try {
      const cases: [unknown, string, string[]][] = [
        ['top_expert', 'expert_top', []],
        ['admin', 'admin', []],
        [['admin', 'top_expert'], 'expert_top', []],
        [undefined, 'user', []],
        [[], 'user', []],
        ['community_expert', 'user', ['unmapped_role']],
        [['admin', 'lecturer'], 'admin', ['unmapped_role']],
        // Not a substring match, as the seed's `includes` on a string was.
        ['not_admin', 'user', ['unmapped_role']],
      ];
      for (const [role, expected, warnings] of cases) {
        const u = t.user({ publicMetadata: role === undefined ? {} : { role: role as string } });
        const outcome = await t.importer.apply(u);
        expect(outcome.role, JSON.stringify(role)).toBe(expected);
        expect(outcome.warnings.map((w) => w.code)).toEqual(warnings);
        expect(await t.roleOf(u.workosUserId)).toBe(expected);
      }
    } finally {
      await t.close();
    }
  });

  it('keeps the stored role when the metadata role cannot be read', async () => {
    const t = await open(target);
    try {
      const u = t.user({ publicMetadata: { role: 'admin' } });
      await t.importer.apply(u);
      for (const role of [5, { name: 'admin' }, ['admin', 7], true]) {
        const outcome = await t.importer.apply({
          ...u,
          record: { ...u.record, publicMetadata: { role } as never },
        });
        expect(outcome.role).toBeUndefined();
        expect(outcome.warnings).toEqual([
          { code: 'invalid_role', field: 'public_metadata.role', reason: expect.any(String) },
        ]);
        expect(await t.roleOf(u.workosUserId)).toBe('admin');
      }
    } finally {
      await t.close();
    }
  });

  it('a configured mapping is used and checked against the app roles', async () => {
    const t = await open(target, {
      roleMapping: {
        rules: [{ clerkRole: 'lecturer', appRole: 'expert_lecturer' }],
        otherwise: 'expert_community',
      },
    });
    try {
      const lecturer = t.user({ publicMetadata: { role: 'lecturer' } });
      const other = t.user({ publicMetadata: {} });
      expect((await t.importer.apply(lecturer)).role).toBe('expert_lecturer');
      expect((await t.importer.apply(other)).role).toBe('expert_community');
      expect(await t.roleOf(other.workosUserId)).toBe('expert_community');
    } finally {
      await t.close();
    }
  });

  it('moves expert setup through the expert-setup module, with the organization', async () => {
    const t = await open(target);
    try {
      const partial = t.user({
        unsafeMetadata: { expertSetup: { profile: true, availability: true, events: false } },
      });
      const done = t.user({
        unsafeMetadata: {
          expertSetup: {
            profile: true,
            availability: true,
            events: true,
            identity: true,
            payment: true,
            google_account: true,
          },
        },
      });
      const none = t.user({ unsafeMetadata: {} });
      expect((await t.importer.apply(partial)).stepsCompleted).toEqual(['profile', 'availability']);
      expect((await t.importer.apply(done)).stepsCompleted).toHaveLength(6);
      expect((await t.importer.apply(none)).stepsCompleted).toEqual([]);

      const partialStatus = await t.setup.checkExpertSetupStatus(partial.workosUserId, JOB);
      expect(partialStatus).toMatchObject({
        setupStatus: { profile: true, availability: true, events: false, identity: false },
        isSetupComplete: false,
      });
      expect((await t.setup.checkExpertSetupStatus(done.workosUserId, JOB)).isSetupComplete).toBe(
        true,
      );
      expect(await t.orgOf('expert_setup', partial.workosUserId)).toBe(partial.organizationId);
      // No expert setup in Clerk: no record (seed 3.6), so the user is not listed as an incomplete expert.
      expect(await t.orgOf('expert_setup', none.workosUserId)).toBeUndefined();
      expect(await t.setup.getSetupStats()).toMatchObject({ total: 2, complete: 1 });
    } finally {
      await t.close();
    }
  });

  it('reports expert setup shapes it cannot read, and moves the rest', async () => {
    const t = await open(target);
    try {
      const odd = t.user({
        unsafeMetadata: {
          expertSetup: { profile: 'yes', payment: true, tax_form: true, 'a b@c': true },
        },
      });
      const outcome = await t.importer.apply(odd);
      expect(outcome.stepsCompleted).toEqual(['payment']);
      expect(outcome.warnings.map((w) => [w.code, w.field])).toEqual([
        ['invalid_expert_setup_step', 'unsafe_metadata.expertSetup.profile'],
        ['unknown_expert_setup_step', 'unsafe_metadata.expertSetup.tax_form'],
        ['unknown_expert_setup_step', 'unsafe_metadata.expertSetup.(a key not shown)'],
      ]);
      for (const expertSetup of ['done', [true], 3]) {
        const u = t.user({ unsafeMetadata: { expertSetup } as never });
        const result = await t.importer.apply(u);
        expect(result.warnings.map((w) => w.code)).toEqual(['invalid_expert_setup']);
        expect(await t.orgOf('expert_setup', u.workosUserId)).toBeUndefined();
      }
    } finally {
      await t.close();
    }
  });

  it('moves security preferences through the preferences module; absent keys read as defaults, bad ones are reported', async () => {
    const database = await openTestDatabase(target);
    const audit = openAudit(database.db, tables);
    try {
      const importer = createClerkMetadataImporter({ database: database.db });
      const prefs = createPreferences({ db: database.db, tables, scope: new RequestScopeStore() });
      const u: MigratedClerkUser = {
        record: clerkRecord('user_2prefs', {
          publicMetadata: {
            securityPreferences: {
              securityAlerts: false,
              newDeviceAlerts: true,
              theme: 'neon',
              pagerAlerts: true,
            },
          },
        }),
        workosUserId: 'user_01PREFS',
        organizationId: 'org_01PREFS',
      };
      const outcome = await importer.apply(u);
      expect(outcome.preferencesWritten).toEqual(['securityAlerts', 'newDeviceAlerts']);
      expect(outcome.warnings.map((w) => [w.code, w.field])).toEqual([
        ['invalid_preference', 'public_metadata.securityPreferences.theme'],
        ['unknown_preference', 'public_metadata.securityPreferences.pagerAlerts'],
      ]);
      expect(await prefs.getUserPreferences(u.workosUserId, JOB)).toEqual({
        ...prefs.getDefaultPreferences(),
        securityAlerts: false,
        newDeviceAlerts: true,
      });
      // The module's own audit event, as the migration, in the user's organization's chain.
      expect(await auditRows(database.db)).toEqual([
        expect.objectContaining({
          action: 'preferences.updated',
          actorSystem: 'clerk-migration',
          actorUserId: null,
          organizationId: 'org_01PREFS',
          resourceId: 'user_01PREFS',
          newValues: { securityAlerts: false, newDeviceAlerts: true },
        }),
      ]);
      await expectChainsValid(audit);

      // No preferences in Clerk: a row that reads as the defaults, with the organization.
      const plain: MigratedClerkUser = {
        record: clerkRecord('user_2plain', { publicMetadata: {} }),
        workosUserId: 'user_01PLAIN',
        organizationId: 'org_01PLAIN',
      };
      expect((await importer.apply(plain)).preferencesWritten).toEqual([]);
      expect(await prefs.getUserPreferences(plain.workosUserId, JOB)).toEqual(
        prefs.getDefaultPreferences(),
      );
      const [row] = rowsOf<{ org: string; prefs: unknown }>(
        await database.db.execute(
          sql`SELECT workos_org_id AS org, preferences AS prefs FROM user_preferences WHERE workos_user_id = 'user_01PLAIN'`,
        ),
      );
      expect(row).toEqual({ org: 'org_01PLAIN', prefs: {} });
      const bad = {
        ...plain,
        record: { ...plain.record, publicMetadata: { securityPreferences: 'on' } },
      };
      expect((await importer.apply(bad)).warnings.map((w) => w.code)).toEqual([
        'invalid_security_preferences',
      ]);
    } finally {
      await database.close();
    }
  });

  it('uses the app preferences schema and steps when given', async () => {
    const schema = z.object({
      securityAlerts: z.boolean().default(true),
      digest: z.enum(['daily', 'weekly']).default('weekly'),
    });
    const t = await open(target, {
      preferences: { schema },
      expertSetup: { steps: ['profile', 'tax_form'] },
    });
    try {
      const u = t.user({
        publicMetadata: { securityPreferences: { digest: 'daily', newDeviceAlerts: true } },
        unsafeMetadata: { expertSetup: { tax_form: true, profile: true } },
      });
      const outcome = await t.importer.apply(u);
      expect(outcome.preferencesWritten).toEqual(['digest']);
      expect(outcome.stepsCompleted).toEqual(['profile', 'tax_form']);
      expect(outcome.warnings.map((w) => w.code)).toEqual(['unknown_preference']);
      const custom = createExpertSetup({
        db: t.db,
        tables,
        scope: new RequestScopeStore(),
        steps: ['profile', 'tax_form'],
        hasPermission: async () => false,
      });
      expect((await custom.checkExpertSetupStatus(u.workosUserId, JOB)).isSetupComplete).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('is idempotent: applying the same users again changes nothing', async () => {
    const t = await open(target);
    try {
      const users = [
        t.user({
          publicMetadata: {
            role: 'top_expert',
            securityPreferences: { emailNotifications: false },
          },
          unsafeMetadata: { expertSetup: { profile: true, events: true } },
        }),
        t.user({ publicMetadata: { role: ['admin'] } }),
        t.user({ source: 'csv' }),
      ];
      const first = [];
      for (const u of users) first.push(await t.importer.apply(u));
      expect(first.map((o) => [o.changed, o.created, o.previousRole])).toEqual([
        [true, { user: true, expertSetup: true, preferences: true, profile: true }, undefined],
        [true, { user: true, expertSetup: false, preferences: true, profile: true }, undefined],
        [true, { user: true, expertSetup: false, preferences: false, profile: true }, undefined],
      ]);
      const before = await snapshot(t.db, ORGKIT_TABLES);
      for (const u of users) {
        const again = await t.importer.apply(u);
        expect(again.changed).toBe(false);
        expect(again.created).toEqual({
          user: false,
          expertSetup: false,
          preferences: false,
          profile: false,
        });
        expect(again.stepsCompleted).toEqual([]);
        expect(again.preferencesWritten).toEqual([]);
      }
      expect(await snapshot(t.db, ORGKIT_TABLES)).toEqual(before);
    } finally {
      await t.close();
    }
  });

  it('a record from the CSV export (no metadata) only ensures the users row', async () => {
    const t = await open(target);
    try {
      const u = t.user({ source: 'csv', firstName: 'Ana' });
      const outcome = await t.importer.apply(u);
      expect(outcome).toMatchObject({ metadataInExport: false, role: undefined, changed: true });
      const [row] = await snapshot(t.db, ['users']).then(
        (s) => s.users as Record<string, unknown>[],
      );
      expect(row).toMatchObject({
        workos_user_id: u.workosUserId,
        email: u.record.primaryEmail,
        first_name: 'Ana',
        role: 'user',
      });
      expect(await t.orgOf('user_preferences', u.workosUserId)).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('keeps a users row the mirror already has, and writes nothing for a user WorkOS deleted', async () => {
    const t = await open(target);
    try {
      const u = t.user({ publicMetadata: { role: 'admin' }, firstName: 'Old' });
      await t.db.execute(sql`
        INSERT INTO users (workos_user_id, email, first_name, workos_updated_at)
        VALUES (${u.workosUserId}, 'mirror@example.test', 'Mirrored', now())`);
      // What an undo needs: no row of the user's was created, and the role it replaced.
      expect(await t.importer.apply(u)).toMatchObject({
        created: { user: false, expertSetup: false, preferences: true, profile: true },
        previousRole: 'user',
      });
      const [row] = (await snapshot(t.db, ['users'])).users as Record<string, unknown>[];
      expect(row).toMatchObject({
        email: 'mirror@example.test',
        first_name: 'Mirrored',
        role: 'admin',
      });

      const gone = t.user({ publicMetadata: { role: 'admin' } });
      await t.db.execute(sql`
        INSERT INTO orgkit_mirror_tombstones (kind, workos_id, deleted_at) VALUES ('user', ${gone.workosUserId}, now())`);
      const outcome = await t.importer.apply(gone);
      expect(outcome.warnings.map((w) => w.code)).toEqual(['user_deleted_in_workos']);
      expect(outcome.changed).toBe(false);
      expect(await t.roleOf(gone.workosUserId)).toBeUndefined();
      expect(await t.orgOf('user_preferences', gone.workosUserId)).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('mirrors the WorkOS user the SDK returned when given', async () => {
    const t = await open(target);
    try {
      const u = t.user({ publicMetadata: {} });
      const updatedAt = '2026-11-30T08:00:00.000Z';
      await t.importer.apply({
        ...u,
        workosUser: {
          id: u.workosUserId,
          email: 'from-workos@example.test',
          firstName: 'W',
          lastName: null,
          updatedAt,
        },
      });
      const [row] = (await snapshot(t.db, ['users'])).users as Record<string, unknown>[];
      expect(row).toMatchObject({ email: 'from-workos@example.test', first_name: 'W' });
      expect(new Date(row!.workos_updated_at as string).toISOString()).toBe(updatedAt);
      await expect(
        t.importer.apply({
          ...u,
          workosUser: { id: 'user_01OTHER', email: 'x@example.test', updatedAt },
        }),
      ).rejects.toMatchObject({ code: 'invalid_input' });
    } finally {
      await t.close();
    }
  });

  it('writes all of a user or nothing: a failing write rolls back the role and the steps', async () => {
    const t = await open(target);
    try {
      await t.db.execute(sql`
        CREATE FUNCTION refuse_preferences() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'preferences refused'; END $$`);
      await t.db.execute(sql`
        CREATE TRIGGER refuse BEFORE INSERT ON user_preferences
        FOR EACH ROW EXECUTE FUNCTION refuse_preferences()`);
      const u = t.user({
        publicMetadata: { role: 'admin' },
        unsafeMetadata: { expertSetup: { profile: true } },
      });
      const before = await snapshot(t.db, ORGKIT_TABLES);
      const error = await t.importer.apply(u).catch((e: unknown) => e);
      expect(isOrgkitError(error) && error.code).toBe('internal');
      expect(await snapshot(t.db, ORGKIT_TABLES)).toEqual(before);
    } finally {
      await t.close();
    }
  });

  it('rejects a malformed user with invalid_input and writes nothing', async () => {
    const t = await open(target);
    try {
      const u = t.user({ publicMetadata: { role: 'admin' } });
      const before = await snapshot(t.db, ORGKIT_TABLES);
      const bad: unknown[] = [
        { ...u, workosUserId: '' },
        { ...u, organizationId: undefined },
        { ...u, record: { ...u.record, clerkUserId: 42 } },
        { ...u, record: { ...u.record, source: 'xml' } },
        null,
      ];
      for (const input of bad) {
        await expect(t.importer.apply(input as MigratedClerkUser)).rejects.toMatchObject({
          code: 'invalid_input',
        });
      }
      expect(await snapshot(t.db, ORGKIT_TABLES)).toEqual(before);
    } finally {
      await t.close();
    }
  });
});

describe('createClerkMetadataImporter configuration', () => {
  const database = { transaction: async () => undefined, execute: async () => undefined } as never;
  it.each([
    [
      { roleMapping: { rules: [{ clerkRole: 'x', appRole: 'wizard' }], otherwise: 'user' } },
      /roleMapping\.rules\.0\.appRole: "wizard"/,
    ],
    [{ roleMapping: { rules: [], otherwise: '' } }, /roleMapping\.otherwise/],
    [
      { expertSetup: { steps: ['profile', 'profile'] } },
      /createClerkMetadataImporter: expertSetup\.steps/,
    ],
    [
      { preferences: { schema: z.object({ loud: z.boolean() }) } },
      /createClerkMetadataImporter: preferences\.schema: loud/,
    ],
  ])('refuses %j with invalid_config', (options, message) => {
    let error: unknown;
    try {
      createClerkMetadataImporter({ database, ...(options as object) });
    } catch (e) {
      error = e;
    }
    expect(isOrgkitError(error) && error.code).toBe('invalid_config');
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a missing database with invalid_input', () => {
    expect(() => createClerkMetadataImporter({} as never)).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});
