import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { auditRows, expectChainsValid, expectNotInAuditLog } from '../preferences/audit-support.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { guestMadeElsewhere, mirrorState, openOrgkit, setupEmulator, tables } from './support.js';

const env = setupEmulator();

/** A fetch that keeps every magic-auth code WorkOS answered with, to look for it later. */
function codeCapturingFetch() {
  const codes: string[] = [];
  const capture = (async (input: string | URL | Request, init?: RequestInit) => {
    const response = await fetch(input, init);
    if (String(input instanceof Request ? input.url : input).endsWith('/magic_auth')) {
      const body = (await response.clone().json()) as { code?: string };
      if (body.code) codes.push(body.code);
    }
    return response;
  }) as typeof fetch;
  return { capture, codes };
}

/** Makes the database refuse `guest.provisioned` events after writing them, until dropped. */
async function refuseGuestEvents(db: OrgkitDatabase) {
  await db.execute(sql`
    CREATE FUNCTION test_refuse_guest_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$`);
  await db.execute(sql`
    CREATE TRIGGER test_refuse_guest_event AFTER INSERT ON audit_logs FOR EACH ROW
    WHEN (NEW.action = 'guest.provisioned') EXECUTE FUNCTION test_refuse_guest_event()`);
  return () => db.execute(sql`DROP TRIGGER test_refuse_guest_event ON audit_logs`);
}

describe.each(DATABASE_TARGETS)('guest audit events on $name', (target) => {
  it('records the owner membership and guest.provisioned once, without the email or the code', async () => {
    const t = await openTestDatabase(target);
    try {
      const { capture, codes } = codeCapturingFetch();
      const { orgkit } = openOrgkit(env.emulator, t.db, { fetch: capture });
      const guest = await orgkit.createOrGetGuestUser({
        email: 'Ada@Example.com',
        firstName: 'Ada',
      });
      await orgkit.createOrGetGuestUser({ email: 'ada@example.com' });
      const { orgkit: later } = openOrgkit(env.emulator, t.db, {
        fetch: capture,
        guests: { magicAuthWindowMs: 0 },
      });
      expect(await later.createOrGetGuestUser({ email: 'ada@example.com' })).toMatchObject({
        magicAuthSent: true,
      });
      expect(codes).toHaveLength(2);

      const [membership] = (await mirrorState(t.db, guest.workosUserId)).memberships;
      const byGuestProvisioning = {
        organizationId: guest.organizationId,
        actorUserId: null,
        actorSystem: 'guest-provisioning',
      };
      expect(await auditRows(t.db)).toEqual([
        {
          ...byGuestProvisioning,
          action: 'membership.created',
          resourceType: 'membership',
          resourceId: membership!.workosMembershipId,
          oldValues: null,
          newValues: { role: 'owner', roles: ['owner'], status: 'active' },
          metadata: { userId: guest.workosUserId },
          seq: 1,
        },
        {
          ...byGuestProvisioning,
          action: 'guest.provisioned',
          resourceType: 'user',
          resourceId: guest.workosUserId,
          oldValues: null,
          newValues: null,
          metadata: { userCreated: true, magicAuthSent: true },
          seq: 2,
        },
      ]);
      await expectNotInAuditLog(t.db, ['ada@example.com', ...codes]);
      await expectChainsValid(orgkit);
    } finally {
      await t.close();
    }
  });

  it('records a guest whose WorkOS user was made elsewhere as not created by orgkit', async () => {
    const t = await openTestDatabase(target);
    try {
      const { user, org } = await guestMadeElsewhere(env.workos, 'cy@example.com', 'Cy');
      const { orgkit } = openOrgkit(env.emulator, t.db, { guests: { sendMagicAuth: false } });
      await orgkit.createOrGetGuestUser({ email: 'cy@example.com' });
      expect(await auditRows(t.db, 'guest.provisioned')).toEqual([
        expect.objectContaining({
          organizationId: org.id,
          resourceId: user.id,
          metadata: { userCreated: false, magicAuthSent: false },
        }),
      ]);
    } finally {
      await t.close();
    }
  });

  it('50 concurrent calls from two instances record one provisioning and one membership', async () => {
    const t = await openTestDatabase(target);
    try {
      const a = openOrgkit(env.emulator, t.db);
      const b = openOrgkit(env.emulator, t.db);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? a : b).orgkit.createOrGetGuestUser({ email: ' Dee@Example.com' }),
        ),
      );
      const rows = await auditRows(t.db);
      expect(rows.map((r) => [r.action, r.resourceId === results[0]!.workosUserId])).toEqual([
        ['membership.created', false],
        ['guest.provisioned', true],
      ]);
      await expectChainsValid(a.orgkit);
    } finally {
      await t.close();
    }
  });

  it('a completion whose audit write fails is not completed, and the next call records it once', async () => {
    const t = await openTestDatabase(target);
    try {
      const { orgkit, fetchFn } = openOrgkit(env.emulator, t.db);
      const allowGuestEvents = await refuseGuestEvents(t.db);
      await expect(orgkit.createOrGetGuestUser({ email: 'gus@example.com' })).rejects.toMatchObject(
        { code: 'internal' },
      );
      const [claim] = await t.db.select().from(tables.guestProvisioning);
      expect(claim).toMatchObject({ completedAt: null, leaseToken: null });
      expect(await auditRows(t.db, 'guest.provisioned')).toEqual([]);

      await allowGuestEvents();
      const guest = await orgkit.createOrGetGuestUser({ email: 'gus@example.com' });
      // Only the code went out again: the ids were recorded by the failed call.
      expect(fetchFn.count('POST /user_management/users')).toBe(1);
      expect(fetchFn.count('POST /user_management/magic_auth')).toBe(2);
      expect(guest).toMatchObject({ created: true, magicAuthSent: true });
      expect(await auditRows(t.db, 'guest.provisioned')).toEqual([
        expect.objectContaining({
          resourceId: guest.workosUserId,
          metadata: { userCreated: true, magicAuthSent: true },
        }),
      ]);
      await expectChainsValid(orgkit);
    } finally {
      await t.close();
    }
  });
});
