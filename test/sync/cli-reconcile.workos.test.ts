import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_TARGETS, type CliTarget, runCli } from '../support/cli.js';
import { setupWorkOSEmulator, tables } from './support.js';

const env = setupWorkOSEmulator();

/** The CLI's WorkOS environment: the emulator. */
function workosVars() {
  return {
    WORKOS_API_KEY: env.emulator.apiKey,
    WORKOS_CLIENT_ID: env.emulator.clientId,
    WORKOS_API_HOSTNAME: env.emulator.hostname,
    WORKOS_API_PORT: String(env.emulator.port),
    WORKOS_API_HTTPS: 'false',
  };
}

describe.each(CLI_TARGETS)('orgkit sync reconcile on $name', ({ make }) => {
  let target: CliTarget;
  afterEach(async () => target?.close());

  const cli = (args: string[], extra: Record<string, string | undefined> = {}) =>
    runCli(target.cwd, args, { DATABASE_URL: target.databaseUrl, ...workosVars(), ...extra });

  it('rebuilds the mirror, reports it as JSON and as lines, and a second run changes nothing', async () => {
    target = await make();
    const ada = await env.workos.userManagement.createUser({ email: 'ada@example.com' });
    const org = await env.workos.organizations.createOrganization({ name: 'Harbor Clinic' });
    await env.workos.userManagement.createOrganizationMembership({
      userId: ada.id,
      organizationId: org.id,
    });
    expect((await cli(['db', 'migrate'])).status).toBe(0);
    const opened = await target.open();
    try {
      await opened.db.insert(tables.users).values({
        workosUserId: 'user_ghost',
        email: 'ghost@example.com',
        workosUpdatedAt: new Date(Date.now() - 24 * 60 * 60 * 1000),
      });
    } finally {
      await opened.close();
    }

    const first = await cli(['sync', 'reconcile', '--json']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({
      users: { upserted: 1, removed: 1, unchanged: 0, skipped: 0 },
      organizations: { upserted: 1, removed: 0, unchanged: 0, skipped: 0 },
      memberships: { upserted: 1, removed: 0, unchanged: 0, skipped: 0 },
    });
    expect(typeof report.cursor).toBe('string');

    const second = await cli(['sync', 'reconcile']);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('users: 0 upserted, 0 removed, 1 unchanged');
    expect(second.stdout).toContain('memberships: 0 upserted, 0 removed, 1 unchanged');
    // Emails are not printed (no PHI on the console).
    expect(second.stdout).not.toContain('ada@example.com');

    const check = await target.open();
    try {
      const users = await check.db.select({ id: tables.users.workosUserId }).from(tables.users);
      expect(users).toEqual([{ id: ada.id }]);
      const [cursor] = await check.db
        .select({ cursor: tables.syncCursors.cursor })
        .from(tables.syncCursors)
        .where(eq(tables.syncCursors.name, 'workos_events'));
      expect(cursor?.cursor).toBe(report.cursor);
    } finally {
      await check.close();
    }
  });

  it('exits 2 naming a missing WorkOS variable, 1 when WorkOS cannot be reached', async () => {
    target = await make();
    expect((await cli(['db', 'migrate'])).status).toBe(0);
    const missing = await cli(['sync', 'reconcile'], { WORKOS_API_KEY: '' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('WORKOS_API_KEY');
    // Port 9 (discard): nothing listens there on a test machine, so the connection is refused.
    const unreachable = await cli(['sync', 'reconcile'], { WORKOS_API_PORT: '9' });
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toContain('upstream_unavailable');
  });
});
