import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/database.js';
import { DATABASE_TARGETS } from '../support/databases.js';
import { JOB, sessionFor } from '../support/sessions.js';
import { setupWorkOSEmulator } from '../sync/support.js';
import {
  claimsOf,
  instancesPerTest,
  nextSecond,
  setupTokenIssuer,
  TOPOLOGIES,
  within,
} from './support.js';

const env = setupWorkOSEmulator();
const issuer = setupTokenIssuer();
const PASSWORD = 'correct horse battery staple 42';

describe.each(DATABASE_TARGETS)('signOutEverywhere on $name', (target) => {
  describe.each(TOPOLOGIES)('$name', ({ instances: count }) => {
    const open = instancesPerTest(
      target,
      count,
      () => env.workos,
      () => issuer.tokens,
    );

    /**
     * Ada signed in twice (two WorkOS sessions, a token for each); Bo is an app admin who may
     * manage users. Every instance has admitted Ada's tokens before.
     */
    async function setup() {
      const opened = await open();
      const { t, instances } = opened;
      const um = env.workos.userManagement;
      const ada = await um.createUser({ email: 'ada@example.com', password: PASSWORD });
      const bo = await um.createUser({ email: 'bo@example.com' });
      const a = instances[0]!.orgkit;
      await a.syncWorkOSEvents();
      await a.setUserRole(bo.id, 'admin', JOB);
      const tokens: string[] = [];
      for (let i = 0; i < 2; i++) {
        const signedIn = await um.authenticateWithPassword({
          clientId: issuer.tokens.clientId,
          email: 'ada@example.com',
          password: PASSWORD,
        });
        const { sid } = claimsOf(signedIn.accessToken) as { sid: string };
        tokens.push(await issuer.tokens.mint({ sub: ada.id, sid }));
      }
      for (const instance of instances) {
        for (const token of tokens)
          await expect(instance.orgkit.verifyAccessToken(token)).resolves.toBeDefined();
      }
      await opened.settle();
      return { t, instances, ada, bo, tokens };
    }

    const workosSessions = async (userId: string) =>
      (await env.workos.userManagement.listSessions(userId)).data.map((s) => s.id);

    it('revokes the WorkOS sessions, refuses the older tokens everywhere, and records who did it', async () => {
      const { t, instances, ada, bo, tokens } = await setup();
      expect(await workosSessions(ada.id)).toHaveLength(2);
      const a = instances[0]!.orgkit;
      const scope = {
        session: sessionFor(bo.id),
        ipAddress: '203.0.113.9',
        userAgent: 'test-agent',
        requestId: 'req_signout',
      };
      const result = await a.runWithRequestScope(scope, () => a.signOutEverywhere(ada.id));
      expect(result).toMatchObject({ userId: ada.id, workosSessionsRevoked: 2 });
      expect(await workosSessions(ada.id)).toEqual([]);

      for (const instance of instances) {
        for (const token of tokens) {
          await within(
            1000,
            () => instance.may(token, 'org:read'),
            (answer) => answer.guard === 'unauthenticated:session_revoked',
          );
          await expect(instance.orgkit.verifyAccessToken(token)).rejects.toMatchObject({
            code: 'unauthenticated',
            reason: 'session_revoked',
          });
        }
      }

      const rows = rowsOf<Record<string, unknown>>(
        await t.db.execute(sql`
          SELECT actor_workos_user_id, target_id, ip_address, user_agent, request_id, metadata
          FROM audit_logs WHERE action = 'user.sessions_revoked'`),
      );
      expect(rows).toEqual([
        {
          actor_workos_user_id: bo.id,
          target_id: ada.id,
          ip_address: '203.0.113.9',
          user_agent: 'test-agent',
          request_id: 'req_signout',
          metadata: { userId: ada.id, cause: 'signOutEverywhere', workosSessionsRevoked: 2 },
        },
      ]);

      // Signing in again afterwards works everywhere.
      await nextSecond();
      const again = await issuer.tokens.mint({ sub: ada.id });
      for (const instance of instances) {
        await expect(instance.orgkit.verifyAccessToken(again)).resolves.toMatchObject({
          userId: ada.id,
        });
      }
    });

    it('a user may sign themselves out; another user needs the manage permission', async () => {
      const { t, instances, ada, bo, tokens } = await setup();
      const a = instances[0]!.orgkit;
      // Ada (no manage permission) cannot sign Bo out: refused, nothing revoked or written.
      await expect(
        a.runWithRequestScope({ session: sessionFor(ada.id) }, () => a.signOutEverywhere(bo.id)),
      ).rejects.toMatchObject({ code: 'forbidden' });
      // A job must name itself.
      await expect(a.signOutEverywhere(ada.id)).rejects.toMatchObject({ code: 'forbidden' });
      await expect(a.signOutEverywhere('', JOB)).rejects.toMatchObject({ code: 'invalid_input' });
      const marks = async () =>
        rowsOf(await t.db.execute(sql`SELECT 1 FROM orgkit_token_revocations`)).length;
      expect(await marks()).toBe(0);
      expect(await workosSessions(ada.id)).toHaveLength(2);
      for (const token of tokens) await expect(a.verifyAccessToken(token)).resolves.toBeDefined();

      // Herself: allowed.
      await a.runWithRequestScope({ session: sessionFor(ada.id) }, () =>
        a.signOutEverywhere(ada.id),
      );
      expect(await marks()).toBe(1);
      await expect(a.verifyAccessToken(tokens[0]!)).rejects.toMatchObject({
        reason: 'session_revoked',
      });
    });
  });
});
