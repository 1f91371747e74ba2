import { describe, expect, it } from 'vitest';
import { createOrgkit, type OrgkitError } from '../../src/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { openOrgkit, outcome, snapshot, USER_ACTIONS } from './support.js';

const NIGHTLY = { actor: { system: 'nightly-job' } } as const;

async function rejection(promise: Promise<unknown>): Promise<OrgkitError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: OrgkitError) => error,
  );
}

describe.each(DATABASE_TARGETS)('acting on a user by id, on $name', (target) => {
  it('lets a session act on its own user; resets and role changes still need their permission', async () => {
    const database = await openTestDatabase(target);
    const orgkit = await openOrgkit(database);
    try {
      const as = <T>(userId: string, fn: () => Promise<T>) =>
        orgkit.runWithRequestScope({ session: sessionFor(userId) }, fn);
      for (const action of USER_ACTIONS) {
        const own = await outcome(() => as('user_plain', () => action.call(orgkit, 'user_plain')));
        expect([action.name, own]).toEqual([
          action.name,
          action.evenForSelf ? 'forbidden' : 'accepted',
        ]);
        const asAdmin = await outcome(() =>
          as('user_admin', () => action.call(orgkit, 'user_admin')),
        );
        expect([action.name, asAdmin]).toEqual([action.name, 'accepted']);
      }
      // Without an id, the session's user is meant (resetSetup and setUserRole always name one).
      await as('user_plain', () => orgkit.updateUserPreferences(undefined, { theme: 'system' }));
      expect((await as('user_plain', () => orgkit.getUserPreferences())).theme).toBe('system');
    } finally {
      await orgkit.close();
      await database.close();
    }
  });

  it('refuses another user without the manage permission, before anything is read or written', async () => {
    const database = await openTestDatabase(target);
    const orgkit = await openOrgkit(database);
    try {
      // Something to lose: the target has stored preferences and a started setup.
      await orgkit.updateUserPreferences('user_expert', { theme: 'dark' }, NIGHTLY);
      await orgkit.markStepComplete('payment', 'user_expert', NIGHTLY);
      const before = await snapshot(database.db);
      for (const action of USER_ACTIONS) {
        const error = await rejection(
          orgkit.runWithRequestScope({ session: sessionFor('user_plain') }, () =>
            action.call(orgkit, 'user_expert'),
          ),
        );
        expect([action.name, error]).toMatchObject([
          action.name,
          {
            code: 'forbidden',
            reason: 'missing_permission',
            details: { missing: [action.permission] },
            message: expect.stringContaining(`"${action.permission}"`),
          },
        ]);
        expect(await snapshot(database.db)).toEqual(before);
      }
    } finally {
      await orgkit.close();
      await database.close();
    }
  });

  it('lets a holder of the permission act on another user, recorded as that user', async () => {
    const database = await openTestDatabase(target);
    const orgkit = await openOrgkit(database);
    try {
      const asAdmin = <T>(fn: () => Promise<T>) =>
        orgkit.runWithRequestScope(
          { session: sessionFor('user_admin', { organizationId: 'org_clinic' }) },
          fn,
        );
      for (const action of USER_ACTIONS) {
        expect([
          action.name,
          await outcome(() => asAdmin(() => action.call(orgkit, 'user_expert'))),
        ]).toEqual([action.name, 'accepted']);
      }
      expect((await asAdmin(() => orgkit.getUserPreferences('user_expert'))).theme).toBe('light');
      const { events } = await orgkit.queryAuditEvents({ organizationId: 'org_clinic' });
      expect(events.map((e) => [e.action, e.actor, e.resourceId]).reverse()).toEqual([
        ['preferences.updated', { userId: 'user_admin' }, 'user_expert'],
        ['preferences.reset', { userId: 'user_admin' }, 'user_expert'],
        ['expert_setup.reset', { userId: 'user_admin' }, 'user_expert'],
      ]);
    } finally {
      await orgkit.close();
      await database.close();
    }
  });

  it('outside a request, requires a named system actor, and the audit log records it', async () => {
    const database = await openTestDatabase(target);
    const orgkit = await openOrgkit(database);
    try {
      const before = await snapshot(database.db);
      for (const action of USER_ACTIONS) {
        const error = await rejection(action.call(orgkit, 'user_expert'));
        expect([action.name, error]).toMatchObject([
          action.name,
          {
            code: 'forbidden',
            reason: 'no_actor',
            message: expect.stringContaining("{ actor: { system: 'job-name' } }"),
          },
        ]);
      }
      expect(await snapshot(database.db)).toEqual(before);

      for (const action of USER_ACTIONS) {
        expect([
          action.name,
          await outcome(() => action.call(orgkit, 'user_expert', NIGHTLY)),
        ]).toEqual([action.name, 'accepted']);
      }
      const { events } = await orgkit.queryAuditEvents({ organizationId: null });
      expect(events.map((e) => [e.action, e.actor, e.resourceId]).reverse()).toEqual([
        ['preferences.updated', { system: 'nightly-job' }, 'user_expert'],
        ['preferences.reset', { system: 'nightly-job' }, 'user_expert'],
        ['expert_setup.reset', { system: 'nightly-job' }, 'user_expert'],
      ]);
      // No user id and no session: nobody is meant.
      expect((await rejection(orgkit.getUserPreferences(undefined, NIGHTLY))).code).toBe(
        'unauthenticated',
      );
    } finally {
      await orgkit.close();
      await database.close();
    }
  });

  it('refuses a system actor inside a signed-in request, and an anonymous request without one', async () => {
    const database = await openTestDatabase(target);
    const orgkit = await openOrgkit(database);
    try {
      const before = await snapshot(database.db);
      for (const action of USER_ACTIONS) {
        const inSession = await rejection(
          orgkit.runWithRequestScope({ session: sessionFor('user_admin') }, () =>
            action.call(orgkit, 'user_expert', NIGHTLY),
          ),
        );
        expect([action.name, inSession]).toMatchObject([
          action.name,
          { code: 'invalid_input', details: { key: 'actor' } },
        ]);
        const anonymous = await rejection(
          orgkit.runWithRequestScope({}, () => action.call(orgkit, 'user_expert')),
        );
        expect([action.name, anonymous]).toMatchObject([
          action.name,
          { code: 'unauthenticated', reason: 'no_session' },
        ]);
      }
      expect(await snapshot(database.db)).toEqual(before);
    } finally {
      await orgkit.close();
      await database.close();
    }
  });

  it('names a bad options argument as invalid_input and changes nothing', async () => {
    const database = await openTestDatabase(target);
    const orgkit = await openOrgkit(database);
    try {
      const before = await snapshot(database.db);
      const bad = [
        { actor: { system: '' } },
        { actor: { system: 'x'.repeat(257) } },
        { actor: { system: 'night\nly' } },
        // A caller cannot claim to be a user: users act through their session.
        { actor: { userId: 'user_admin' } },
        { actor: { system: 'job', extra: 1 } },
        { actor: 'nightly-job' },
        { actor: null },
        { extra: true },
        JSON.parse('{"__proto__": {"actor": {"system": "x"}}}'),
        'nightly-job',
        42,
      ];
      for (const action of USER_ACTIONS) {
        for (const options of bad) {
          const error = await rejection(action.call(orgkit, 'user_expert', options as never));
          expect([action.name, options, error.code]).toEqual([
            action.name,
            options,
            'invalid_input',
          ]);
          expect(error.message).toContain(`${action.name}: options`);
        }
      }
      expect(await snapshot(database.db)).toEqual(before);
    } finally {
      await orgkit.close();
      await database.close();
    }
  });

  it('takes the manage permission from users.managePermission, and names a bad one at construction', async () => {
    const database = await openTestDatabase(target);
    // org:manage comes with the token's organization role `admin`, not with the app role `user`.
    const orgkit = await openOrgkit(database, { users: { managePermission: 'org:manage' } });
    try {
      const orgAdmin = sessionFor('user_plain', { organizationId: 'org_clinic', role: 'admin' });
      const member = sessionFor('user_expert', { organizationId: 'org_clinic', role: 'member' });
      const update = () => orgkit.updateUserPreferences('user_super', { theme: 'dark' });
      expect(await outcome(() => orgkit.runWithRequestScope({ session: orgAdmin }, update))).toBe(
        'accepted',
      );
      expect(await outcome(() => orgkit.runWithRequestScope({ session: member }, update))).toBe(
        'forbidden',
      );
      for (const users of [
        { managePermission: 'users:nope' },
        { managePermission: '' },
        { x: 1 },
      ]) {
        expect(() => createOrgkit({ database: database.db, users: users as never })).toThrowError(
          expect.objectContaining({
            code: 'invalid_config',
            message: expect.stringMatching(/^createOrgkit: users/),
          }),
        );
      }
    } finally {
      await orgkit.close();
      await database.close();
    }
  });
});
