import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
 * The built-in demo, for an installed package: a user signs in through the official WorkOS
 * emulator, orgkit verifies the token against the emulator's JWKS, mirrors the membership from the
 * Events API into embedded PGlite, resolves the hybrid roles, and runs one permission check that
 * passes and one that fails, then provisions a booking guest twice at once. Returns whether every
 * step behaved as expected.
 */
export async function builtInDemo(out: (line: string) => void): Promise<boolean> {
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

/** Where the full demo lives: the Hono example of a repository checkout, and tsx to run it. */
interface FullDemo {
  script: string;
  tsxLoader: string;
}

/**
 * The Hono example's demo, when the working directory is inside a checkout of the orgkit
 * repository (npm workspaces link `@orgkit-examples/hono`) with the package built (the example
 * imports `orgkit` as an app does); `undefined` elsewhere, and `'unbuilt'` in a checkout
 * without `dist/`.
 */
function locateFullDemo(cwd: string): FullDemo | 'unbuilt' | undefined {
  const require = createRequire(join(cwd, 'orgkit-demo.cjs'));
  let script: string;
  let tsxLoader: string;
  try {
    script = require.resolve('@orgkit-examples/hono/demo');
    tsxLoader = pathToFileURL(require.resolve('tsx')).href;
  } catch {
    return undefined;
  }
  try {
    createRequire(script).resolve('orgkit');
  } catch {
    return 'unbuilt';
  }
  return { script, tsxLoader };
}

/** Runs the example's demo in its own process (it is TypeScript, run by tsx), line by line. */
function runFullDemo(demo: FullDemo, out: (line: string) => void) {
  const args = ['--import', demo.tsxLoader, demo.script];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const relay = (stream: NodeJS.ReadableStream) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) out(line);
    });
    stream.on('end', () => pending && out(pending));
  };
  relay(child.stdout);
  relay(child.stderr);
  return new Promise<boolean>((resolve) => {
    child.on('error', (error) => {
      out(`orgkit demo: could not start the example's demo: ${error.message}`);
      resolve(false);
    });
    child.on('close', (code) => resolve(code === 0));
  });
}

/** Options of {@link demoCommand}. */
export interface DemoOptions {
  /** Where to look for a repository checkout. @default process.cwd() */
  cwd?: string | undefined;
}

/**
 * `orgkit demo`: inside a checkout of the orgkit repository, the whole flow against the Hono
 * example app (the same as `npm run demo`); anywhere else, the built-in demo above, with a line
 * saying where the full one is. Returns whether every step passed.
 */
export async function demoCommand(
  out: (line: string) => void,
  options: DemoOptions = {},
): Promise<boolean> {
  const full = locateFullDemo(options.cwd ?? process.cwd());
  if (full === 'unbuilt') {
    out(
      'orgkit demo: the example imports the built package: run npm run build (or npm run demo), then try again',
    );
    return false;
  }
  if (full) return runFullDemo(full, out);
  out(
    'The full demo (an example app: expert setup, booking, guest sign-in, row-level security, audit) runs in a checkout of the orgkit repository: npm install && npm run demo. Here: the built-in demo.\n',
  );
  return builtInDemo(out);
}
