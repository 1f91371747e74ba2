import { createHmac } from 'node:crypto';
import type { WorkOS } from '@workos-inc/node';
import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { AuditRecorder } from '../../src/audit/recorder.js';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { createOrgkitTables } from '../../src/db/tables.js';
import { createWorkOSSync, type SyncApi } from '../../src/sync/index.js';
import { startWorkOSEmulator, type WorkOSEmulator } from '../../src/testing/emulator.js';
import { openAudit } from '../preferences/audit-support.js';

export const tables = createOrgkitTables();

/** One emulator per test file (its rate limit counts per instance), reset before each test. */
export function setupWorkOSEmulator(): {
  readonly emulator: WorkOSEmulator;
  readonly workos: WorkOS;
} {
  const env = {} as { emulator: WorkOSEmulator; workos: WorkOS };
  beforeAll(async () => {
    env.emulator = await startWorkOSEmulator();
    env.workos = env.emulator.createClient();
  });
  afterAll(() => env.emulator?.close());
  beforeEach(() => env.emulator.reset());
  return env;
}
export const SECRET = 'whsec_orgkit_test_secret';

/** The `WorkOS-Signature` header WorkOS sends: `t=<ms>, v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function sign(rawBody: string, secret = SECRET, at = Date.now()): string {
  const digest = createHmac('sha256', secret).update(`${at}.${rawBody}`).digest('hex');
  return `t=${at}, v1=${digest}`;
}

/** A WorkOS event in its wire form (snake_case), as a webhook body carries it. */
export interface WireEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
  created_at: string;
}

/** Every event the emulator recorded, oldest first, in wire form. */
export async function wireEvents(emulator: WorkOSEmulator): Promise<WireEvent[]> {
  const res = await fetch(`${emulator.url}/events?order=asc&limit=100`, {
    headers: { authorization: `Bearer ${emulator.apiKey}` },
  });
  const body = (await res.json()) as { data: WireEvent[] };
  return body.data;
}

/** The emulator's events of one type for one object, oldest first. */
export async function eventsFor(
  emulator: WorkOSEmulator,
  type: string,
  objectId?: string,
): Promise<WireEvent[]> {
  return (await wireEvents(emulator)).filter(
    (e) => e.event === type && (objectId === undefined || e.data.id === objectId),
  );
}

/**
 * A sync wired to a database, a WorkOS client and the real audit module, recording which users
 * it invalidated. `recordAudit` replaces the audit module's writer (to inject a failure).
 */
export function openSync(
  db: OrgkitDatabase,
  workos: WorkOS | undefined,
  webhooks: { secret: string; toleranceMs: number } | 'none' = {
    secret: SECRET,
    toleranceMs: 180_000,
  },
  recordAudit?: (audit: ReturnType<typeof openAudit>) => AuditRecorder,
): SyncApi & { invalidated: string[]; audit: ReturnType<typeof openAudit> } {
  const invalidated: string[] = [];
  const audit = openAudit(db, tables);
  const sync = createWorkOSSync({
    db,
    tables,
    workos,
    webhooks: webhooks === 'none' ? undefined : webhooks,
    invalidateUser: async (userId) => {
      invalidated.push(userId);
    },
    recordAudit: recordAudit ? recordAudit(audit) : audit.record,
  });
  return Object.assign(sync, { invalidated, audit });
}

/** The mirror's rows, in a stable order, without surrogate keys and row timestamps. */
export async function mirror(db: OrgkitDatabase) {
  const u = tables.users;
  const o = tables.organizations;
  const m = tables.userOrgMemberships;
  return {
    users: await db
      .select({ id: u.workosUserId, email: u.email, firstName: u.firstName, role: u.role })
      .from(u)
      .orderBy(asc(u.email)),
    organizations: await db
      .select({ id: o.workosOrgId, name: o.name, externalId: o.externalId })
      .from(o)
      .orderBy(asc(o.name)),
    memberships: await db
      .select({
        id: m.workosMembershipId,
        userId: m.workosUserId,
        orgId: m.workosOrgId,
        role: m.role,
        roles: m.roles,
        status: m.status,
      })
      .from(m)
      .orderBy(asc(m.workosUserId)),
  };
}

/** The stored Events API cursor. */
export async function storedCursor(db: OrgkitDatabase): Promise<string | undefined> {
  const [row] = await db.select().from(tables.syncCursors);
  return row?.cursor || undefined;
}

/** Two users in one organization, created through the SDK: 5 mirrored events. */
export async function clinic(workos: WorkOS) {
  const ada = await workos.userManagement.createUser({
    email: 'ada@example.com',
    firstName: 'Ada',
  });
  const bo = await workos.userManagement.createUser({ email: 'bo@example.com', firstName: 'Bo' });
  const org = await workos.organizations.createOrganization({
    name: 'Harbor Clinic',
    externalId: 'clinic-1',
  });
  const adaMembership = await workos.userManagement.createOrganizationMembership({
    userId: ada.id,
    organizationId: org.id,
    roleSlug: 'admin',
  });
  const boMembership = await workos.userManagement.createOrganizationMembership({
    userId: bo.id,
    organizationId: org.id,
  });
  return { ada, bo, org, adaMembership, boMembership };
}
