import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createUserAuthorizer, RequestScopeStore } from '../../src/context/index.js';
import { createOrgkitTables } from '../../src/db/tables.js';
import { createPreferences, type PreferencesSchema } from '../../src/preferences/index.js';
import { appRolePermissionCheck } from '../expert-setup/support.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { auditRows, expectChainsValid, expectNotInAuditLog, openAudit } from './audit-support.js';
import { JOB, sessionFor } from './support.js';

async function open(target: { url: string | undefined }, schema?: PreferencesSchema) {
  const database = await openTestDatabase(target);
  const tables = createOrgkitTables();
  const scope = new RequestScopeStore();
  const audit = openAudit(database.db, tables, scope);
  // The real audit writer; `crashAfterAudit` makes the next write fail once its event is written.
  const faults = { crashAfterAudit: false };
  const prefs = createPreferences({
    db: database.db,
    tables,
    scope,
    schema,
    authorizeUser: createUserAuthorizer({
      scope,
      hasPermission: appRolePermissionCheck(database.db, tables),
    }),
    recordAudit: async (events, options) => {
      await audit.record(events, options);
      if (!faults.crashAfterAudit) return;
      faults.crashAfterAudit = false;
      throw new Error('crash after the audit write');
    },
  });
  const as = <T>(userId: string, fn: () => Promise<T>) =>
    scope.run({ session: sessionFor(userId, { organizationId: 'org_clinic' }) }, fn);
  return { ...database, tables, scope, audit, faults, prefs, as };
}

const updated = (fields: Record<string, unknown>) => ({
  action: 'preferences.updated',
  resourceType: 'user_preferences',
  metadata: null,
  ...fields,
});

describe.each(DATABASE_TARGETS)('preference audit events on $name', (target) => {
  it('records only the keys whose value changed, with the session user and organization', async () => {
    const t = await open(target);
    try {
      // `language: 'en'` is the default already: not a change.
      await t.as('user_me', () =>
        t.prefs.updateUserPreferences(undefined, { theme: 'dark', language: 'en' }),
      );
      await t.as('user_me', () => t.prefs.updateUserPreferences(undefined, { theme: 'dark' }));
      await t.as('user_me', () => t.prefs.updateUserPreferences(undefined, {}));
      // An admin changing someone else's preferences is the actor; the user is the resource.
      await t.db
        .insert(t.tables.users)
        .values({ workosUserId: 'user_admin', email: 'admin@example.com', role: 'admin' });
      await t.as('user_admin', () => t.prefs.updateUserPreferences('user_x', { theme: 'system' }));
      // A job outside any request names the user and is recorded as the system it names.
      await t.prefs.updateUserPreferences(
        'user_x',
        {
          emailNotifications: false,
          newDeviceAlerts: true,
          theme: 'system',
        },
        JOB,
      );
      expect(await auditRows(t.db)).toEqual([
        updated({
          organizationId: 'org_clinic',
          actorUserId: 'user_me',
          actorSystem: null,
          resourceId: 'user_me',
          oldValues: { theme: 'light' },
          newValues: { theme: 'dark' },
          seq: 1,
        }),
        updated({
          organizationId: 'org_clinic',
          actorUserId: 'user_admin',
          actorSystem: null,
          resourceId: 'user_x',
          oldValues: { theme: 'light' },
          newValues: { theme: 'system' },
          seq: 2,
        }),
        updated({
          organizationId: null,
          actorUserId: null,
          actorSystem: 'test-job',
          resourceId: 'user_x',
          oldValues: { emailNotifications: true, newDeviceAlerts: false },
          newValues: { emailNotifications: false, newDeviceAlerts: true },
          seq: 1,
        }),
      ]);
      await expectChainsValid(t.audit);
    } finally {
      await t.close();
    }
  });

  it('records a reset with what it undid, and nothing when nothing was stored', async () => {
    const t = await open(target);
    try {
      await t.prefs.updateUserPreferences('user_1', { theme: 'dark', language: 'en' }, JOB);
      await t.as('user_1', () => t.prefs.resetToDefaults());
      await t.as('user_1', () => t.prefs.resetToDefaults());
      await t.prefs.resetToDefaults('user_never', JOB);
      expect(await auditRows(t.db, 'preferences.reset')).toEqual([
        {
          action: 'preferences.reset',
          organizationId: 'org_clinic',
          actorUserId: 'user_1',
          actorSystem: null,
          resourceType: 'user_preferences',
          resourceId: 'user_1',
          oldValues: { theme: 'dark' },
          newValues: { theme: 'light' },
          metadata: null,
          seq: 1,
        },
      ]);
      await expectChainsValid(t.audit);
    } finally {
      await t.close();
    }
  });

  it('an update or reset that fails after its audit write keeps neither, nor a stale request memo', async () => {
    const t = await open(target);
    try {
      await t.prefs.updateUserPreferences('user_1', { theme: 'dark' }, JOB);
      await t.as('user_1', async () => {
        expect((await t.prefs.getUserPreferences()).theme).toBe('dark');
        t.faults.crashAfterAudit = true;
        await expect(t.prefs.updateUserPreferences(undefined, { theme: 'system' })).rejects.toThrow(
          'crash after the audit write',
        );
        expect((await t.prefs.getUserPreferences()).theme).toBe('dark');
        t.faults.crashAfterAudit = true;
        await expect(t.prefs.resetToDefaults()).rejects.toThrow('crash after the audit write');
        expect((await t.prefs.getUserPreferences()).theme).toBe('dark');
      });
      expect((await t.prefs.getUserPreferences('user_1', JOB)).theme).toBe('dark');
      expect((await auditRows(t.db)).map((r) => r.newValues)).toEqual([{ theme: 'dark' }]);
      await expectChainsValid(t.audit);
    } finally {
      await t.close();
    }
  });

  it('50 callers setting the same value on a new user record one change', async () => {
    const t = await open(target);
    try {
      await Promise.all(
        Array.from({ length: 50 }, () =>
          t.prefs.updateUserPreferences('user_1', { theme: 'dark' }, JOB),
        ),
      );
      expect(await auditRows(t.db)).toEqual([
        expect.objectContaining({ oldValues: { theme: 'light' }, newValues: { theme: 'dark' } }),
      ]);
      await expectChainsValid(t.audit);
    } finally {
      await t.close();
    }
  });

  it('redacts secret-looking preferences before they reach the audit log', async () => {
    const schema = z.object({
      calendarApiToken: z.string().default(''),
      digest: z.enum(['daily', 'weekly']).default('weekly'),
    });
    const t = await open(target, schema);
    try {
      await t.prefs.updateUserPreferences(
        'user_1',
        {
          calendarApiToken: 'tok_live_8f2c1e',
          digest: 'daily',
        },
        JOB,
      );
      const [row] = await auditRows(t.db);
      expect(row?.newValues).toMatchObject({ digest: 'daily' });
      expect(row?.newValues).toHaveProperty('calendarApiToken');
      await expectNotInAuditLog(t.db, ['tok_live_8f2c1e']);
    } finally {
      await t.close();
    }
  });
});
