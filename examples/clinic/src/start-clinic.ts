import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Session } from 'orgkit';
import { users } from 'orgkit/drizzle';
import { type ClinicDatabaseOptions, openClinicDatabase } from './database.js';
import { createClinicOrgkit } from './orgkit.js';
import { type ClinicPeople, seedPeople } from './people.js';
import { createAdminService } from './services/admin.js';
import { createBookingService } from './services/booking.js';
import { createDashboardService } from './services/dashboard.js';
import { createEmergencyAccessService } from './services/emergency-access.js';
import { createMeetingsService } from './services/meetings.js';
import { createSignInService } from './services/sign-in.js';
import type { PageContext, Viewer } from './views/layout.js';
import type { DemoPerson } from './views/public-pages.js';
import { openClinicWorkOS } from './workos.js';

/** Options of {@link startClinic}; the database ones as in `openClinicDatabase`. */
export interface StartClinicOptions extends ClinicDatabaseOptions {
  /** Where the app is reached, e.g. `http://localhost:3000`; the callback URL derives from it. */
  baseUrl: string;
  /** Where WorkOS settings are read from. @default process.env */
  env?: Record<string, string | undefined>;
  /** Start-up lines. @default nothing */
  log?: ((line: string) => void) | undefined;
}

/**
 * Starts everything the clinic apps share: the database (migrated, with the RLS policies),
 * WorkOS (emulator or real), the orgkit instance, the seeded people (emulator only) and the
 * services the routes call.
 *
 * @example
 * ```ts
 * const clinic = await startClinic({ baseUrl: 'http://localhost:3000' })
 * const auth = createHonoAuth(clinic.orgkit, { session: clinic.sessionOptions })
 * ```
 */
export async function startClinic(options: StartClinicOptions) {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const database = await openClinicDatabase(options);
  const wos = await openClinicWorkOS(options.baseUrl, env).catch(async (error) => {
    await database.close();
    throw error;
  });
  const { db } = database;
  const { workos, clientId, redirectUri } = wos;
  const orgkit = createClinicOrgkit({ db, workos, clientId, issuers: wos.issuers });
  // A fresh password per process in development: sessions end when the process does.
  const cookiePassword = env.WORKOS_COOKIE_PASSWORD ?? randomBytes(32).toString('base64url');
  let people: ClinicPeople | undefined;
  try {
    if (wos.emulator) people = await seedPeople(workos, orgkit);
  } catch (error) {
    await Promise.allSettled([wos.close(), database.close()]);
    throw error;
  }
  log(`database: ${database.description}`);
  log(wos.emulator ? `WorkOS: emulator at ${wos.emulator.url}` : 'WorkOS: real environment');

  async function viewer(session: Session | undefined): Promise<Viewer | undefined> {
    if (!session) return undefined;
    const [row] = await db
      .select({ email: users.email, firstName: users.firstName, role: users.role })
      .from(users)
      .where(eq(users.workosUserId, session.userId));
    if (!row) return { name: 'you', email: '', kind: 'guest' };
    const kind = row.role === 'expert' || row.role === 'admin' ? row.role : 'guest';
    return { name: row.firstName ?? row.email, email: row.email, kind };
  }

  const demoPeople: DemoPerson[] = people
    ? [
        { email: people.expert.email, role: 'expert, Harbor Clinic' },
        { email: people.admin.email, role: 'admin, Harbor Clinic' },
        { email: people.outsider.email, role: 'expert, Northwind Physio (another organization)' },
        { email: people.onCall.email, role: 'on-call expert, Harbor Clinic (emergency access)' },
      ]
    : [];

  return {
    orgkit,
    db,
    workos,
    clientId,
    cookiePassword,
    redirectUri,
    baseUrl: options.baseUrl,
    /** The adapters' `session` option: sign-in, callback and sign-out over a sealed cookie. */
    sessionOptions: { workos, clientId, cookiePassword, redirectUri },
    emulator: wos.emulator,
    /** The dev inbox (emulator mode only). */
    inbox: wos.inbox,
    /** The seeded people (emulator mode only). */
    people,
    demoPeople,
    booking: createBookingService(orgkit, db),
    meetings: createMeetingsService(orgkit, db),
    dashboard: createDashboardService(orgkit),
    admin: createAdminService(orgkit),
    emergencyAccess: createEmergencyAccessService(orgkit, db),
    signIn: createSignInService({ orgkit, db }),
    viewer,
    /** What the layout needs for a request: the viewer and whether to link the dev inbox. */
    pageContext: async (session: Session | undefined): Promise<PageContext> => ({
      viewer: await viewer(session),
      devInbox: wos.inbox !== undefined,
    }),
    async close(): Promise<void> {
      await orgkit.close();
      await Promise.allSettled([wos.close(), database.close()]);
    },
  };
}

/** A started clinic. */
export type Clinic = Awaited<ReturnType<typeof startClinic>>;
