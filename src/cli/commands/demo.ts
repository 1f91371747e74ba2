import { createOrgkit } from '../../create-orgkit.js';
import { migrate } from '../../db/migrate.js';
import { defaultAccessControl } from '../../roles/index.js';
import { startWorkOSEmulator } from '../../testing/emulator.js';
import { openDatabase } from '../open-database.js';

const CLINIC_ROLES = [
  { slug: 'owner', permissions: ['org:read', 'org:manage', 'billing:manage', 'audit:read'] },
  { slug: 'admin', permissions: ['org:read', 'org:manage', 'audit:read'] },
  { slug: 'member', permissions: ['org:read'] },
];

/**
 * A guest submits the booking form in two tabs at once: one WorkOS user, one personal
 * organization, one magic-auth code, and both tabs get the same ids.
 */
async function bookTwice(
  orgkit: Pick<ReturnType<typeof createOrgkit>, 'provisionMeetingGuest'>,
  out: (line: string) => void,
): Promise<boolean> {
  const [tabA, tabB] = await Promise.all([
    orgkit.provisionMeetingGuest({ guestEmail: 'guest.bo@example.com', guestFirstName: 'Bo' }),
    orgkit.provisionMeetingGuest({ guestEmail: ' Guest.Bo@Example.com ', guestFirstName: 'Bo' }),
  ]);
  const oneGuest =
    tabA.guestWorkosUserId === tabB.guestWorkosUserId &&
    tabA.guestOrgId === tabB.guestOrgId &&
    [tabA, tabB].filter((tab) => tab.created).length === 1 &&
    [tabA, tabB].filter((tab) => tab.magicAuthSent).length === 1;
  out(
    `  ${oneGuest ? '✓' : '✗'} a guest booked in two tabs at once → one guest ${tabA.guestWorkosUserId}, one personal org, one magic-auth code`,
  );
  return oneGuest;
}

/**
 * `orgkit demo`: the whole flow offline. A user signs in through the official WorkOS emulator,
 * orgkit verifies the token against the emulator's JWKS, mirrors the membership from the Events
 * API into embedded PGlite, resolves the hybrid roles, and runs one permission check that passes
 * and one that fails, then provisions a booking guest twice at once. Returns whether every step behaved as expected.
 */
export async function demoCommand(out: (line: string) => void): Promise<boolean> {
  const permissions = [...new Set(CLINIC_ROLES.flatMap((r) => r.permissions))];
  const emulator = await startWorkOSEmulator({
    seed: {
      permissions: permissions.map((slug) => ({ slug, name: slug })),
      roles: CLINIC_ROLES.map((r) => ({ ...r, name: r.slug, type: 'EnvironmentRole' as const })),
    },
  });
  const database = await openDatabase(undefined, 'memory://');
  const step = (label: string, detail = '') => out(`  ✓ ${label}${detail ? `  ${detail}` : ''}`);
  try {
    out(`orgkit demo — WorkOS emulator at ${emulator.url}, ${database.location}\n`);
    await migrate(database.db);
    step('applied orgkit migrations');

    const workos = emulator.createClient();
    const email = 'dr.ada@example.com';
    const password = 'correct horse battery staple';
    const user = await workos.userManagement.createUser({ email, password, firstName: 'Ada' });
    const clinic = await workos.organizations.createOrganization({ name: 'Harbor Clinic' });
    await workos.userManagement.createOrganizationMembership({
      userId: user.id,
      organizationId: clinic.id,
      roleSlug: 'admin',
    });
    step('created a user, an organization and an admin membership in WorkOS', user.id);

    const orgkit = createOrgkit({
      database: database.db,
      workos,
      clientId: emulator.clientId,
      accessControl: defaultAccessControl,
      session: { issuers: [emulator.url] },
    });
    const synced = await orgkit.syncWorkOSEvents();
    step('mirrored WorkOS into Postgres from the Events API', `${synced.applied} events applied`);
    await orgkit.setUserRole(user.id, 'expert_top', { actor: { system: 'orgkit-demo' } });
    step('gave the user the app role expert_top (stored in users.role)');

    const signIn = await workos.userManagement.authenticateWithPassword({
      clientId: emulator.clientId,
      email,
      password,
    });
    const orgToken = await workos.userManagement.authenticateWithRefreshToken({
      clientId: emulator.clientId,
      refreshToken: signIn.refreshToken,
      organizationId: clinic.id,
    });
    const session = await orgkit.verifyAccessToken(orgToken.accessToken);
    step(
      'signed in and verified the access token (RS256, JWKS, issuer, expiry)',
      `org ${session.organizationId}, role ${session.role}`,
    );

    return await orgkit.runWithRequestScope({ session, requestId: 'demo' }, async () => {
      const roles = await orgkit.getUserRoles();
      step('resolved hybrid roles (app role ∪ membership ∪ token)', JSON.stringify(roles));
      const canWriteEvents = await orgkit.hasPermission(undefined, 'events:write');
      const canManageBilling = await orgkit.hasPermission(undefined, 'billing:manage');
      const decision = await orgkit.checkPermissions(undefined, ['billing:manage']);
      out(
        `  ${canWriteEvents ? '✓' : '✗'} hasPermission('events:write') → ${canWriteEvents}  (granted by expert_top)`,
      );
      out(
        `  ${canManageBilling ? '✗' : '✓'} hasPermission('billing:manage') → ${canManageBilling}  (${decision.reason}: missing ${decision.missing.join(', ')})`,
      );
      const guestProvisioned = await bookTwice(orgkit, out);
      await orgkit.close();
      const ok =
        canWriteEvents &&
        !canManageBilling &&
        roles.includes('expert_top') &&
        roles.includes('admin') &&
        guestProvisioned;
      out(ok ? '\nThe demo ran end to end.' : '\nThe demo did not behave as expected.');
      return ok;
    });
  } finally {
    await database.close();
    await emulator.close();
  }
}
