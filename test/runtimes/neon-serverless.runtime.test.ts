import { Client, Pool } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import { createOrgkitTables } from '../../src/db/tables.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/database.js';
import { sessionFor } from '../support/sessions.js';
import { runtimeAccessControl } from './app/app.js';
import { ADMIN, ORGANIZATION, READER, seedRuntimeUsers } from './support/scenario.js';
import { startWsProxy, useWsProxy, type WsProxy } from './support/ws-proxy.js';

const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL) throw new Error('needs DATABASE_URL (PostgreSQL)');

const { auditLogs, organizations, userOrgMemberships, userPreferences } = createOrgkitTables();
const system = { actor: { system: 'neon-ws-test' } } as const;
const theme = sql<string>`${userPreferences.preferences} ->> 'theme'`;
type Who = { role: string; sub: string | null };

// Neon's WebSocket driver against the real server through a local wsproxy: the same bytes a
// Neon endpoint's proxy carries, so every statement below crossed a WebSocket.
describe("Neon's WebSocket driver (drizzle-orm/neon-serverless)", () => {
  let t: TestDatabase;
  let proxy: WsProxy;
  let pool: Pool;
  // The private schema's tables as the owner role (NOSUPERUSER, BYPASSRLS), as on Neon.
  const neonOptions = () => ({ connectionString: t.url, options: `-c search_path=${t.schema}` });
  const orgkitOn = (database: Parameters<typeof createOrgkit>[0]['database']) =>
    createOrgkit({
      database,
      accessControl: runtimeAccessControl,
      session: { jwksUrl: 'http://127.0.0.1:1/jwks' },
    });

  beforeAll(async () => {
    t = await createTestDatabase({ url: DATABASE_URL, rls: true });
    await seedRuntimeUsers(t);
    await t.db.insert(organizations).values({ workosOrgId: ORGANIZATION, name: 'Runtime' });
    await t.db.insert(userOrgMemberships).values({
      workosMembershipId: 'om_runtime_reader',
      workosUserId: READER,
      workosOrgId: ORGANIZATION,
      role: 'member',
      roles: ['member'],
    });
    const server = new URL(t.url ?? '');
    proxy = await startWsProxy({ allowed: [`${server.hostname}:${server.port || 5432}`] });
    useWsProxy(proxy);
    pool = new Pool({ ...neonOptions(), max: 4 });
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await proxy?.stop();
    await t?.close();
  });

  it('a Pool: getAccess with a membership, preferences in a transaction, a valid audit chain', async () => {
    const orgkit = orgkitOn(drizzle({ client: pool }));
    const access = await orgkit.getAccess(READER, { organizationId: ORGANIZATION });
    expect([...access.roles].sort()).toEqual(['member', 'user']);
    expect(access.hasPermission('posts:read')).toBe(true);
    expect(access.hasPermission('posts:write')).toBe(false);
    expect(await orgkit.getUserRoles(ADMIN)).toEqual(['admin']);

    // Concurrent partial updates each read-modify-write in their own interactive transaction.
    await Promise.all([
      orgkit.updateUserPreferences(READER, { theme: 'dark' }, system),
      orgkit.updateUserPreferences(ADMIN, { theme: 'light' }, system),
    ]);
    await orgkit.updateUserPreferences(READER, { language: 'es' }, system);
    expect(await orgkit.getUserPreferences(READER, system)).toMatchObject({
      theme: 'dark',
      language: 'es',
    });

    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        orgkit.logAuditEvent('post.viewed', 'post', `neon-${i}`, undefined, undefined, system),
      ),
    );
    const chain = await orgkit.verifyAuditChain();
    expect(chain.valid).toBe(true);
    const written = await t.db.select({ id: auditLogs.targetId }).from(auditLogs);
    expect(written.filter((r) => r.id?.startsWith('neon-'))).toHaveLength(8);
    // All of it went through the proxy, over at most the pool's connections.
    expect(proxy.accepted).toBeGreaterThan(0);
    expect(proxy.accepted).toBeLessThanOrEqual(4);
    expect(proxy.bytesToServer).toBeGreaterThan(0);
  });

  it('a Pool: withRls runs as the request role and sees only the caller’s rows; the pooled connection keeps no claims', async () => {
    const orgkit = orgkitOn(drizzle({ client: pool }));
    await orgkit.updateUserPreferences(READER, { theme: 'dark' }, system);
    await orgkit.updateUserPreferences(ADMIN, { theme: 'light' }, system);
    const seenBy = (userId: string, organizationId?: string) =>
      orgkit.runWithRequestScope({ session: sessionFor(userId, { organizationId }) }, () =>
        orgkit.withRls(async (tx) => ({
          who: (
            await tx.execute<Who>(
              sql`select current_user as "role", current_setting('request.jwt.claims', true)::json ->> 'sub' as "sub"`,
            )
          ).rows[0],
          preferences: await tx
            .select({ user: userPreferences.workosUserId, theme })
            .from(userPreferences),
          memberships: await tx
            .select({ user: userOrgMemberships.workosUserId })
            .from(userOrgMemberships),
        })),
      );
    const [reader, admin] = await Promise.all([seenBy(READER, ORGANIZATION), seenBy(ADMIN)]);
    expect(reader).toEqual({
      who: { role: 'authenticated', sub: READER },
      preferences: [{ user: READER, theme: 'dark' }],
      memberships: [{ user: READER }],
    });
    expect(admin).toEqual({
      who: { role: 'authenticated', sub: ADMIN },
      preferences: [{ user: ADMIN, theme: 'light' }],
      memberships: [],
    });
    // The owner sees both rows, and no connection of the pool is left with a user's identity.
    const db = drizzle({ client: pool });
    expect(await db.select().from(userPreferences)).toHaveLength(2);
    const after = await Promise.all(
      Array.from(
        { length: 6 },
        async () =>
          (
            await db.execute<Who>(
              sql`select current_user as "role", nullif(current_setting('request.jwt.claims', true), '')::json ->> 'sub' as "sub"`,
            )
          ).rows[0],
      ),
    );
    for (const row of after) expect(row).toEqual({ role: t.role, sub: null });
  });

  it('a Client per request (connect, end) with one long-lived instance', async () => {
    const orgkit = orgkitOn(undefined);
    const acceptedBefore = proxy.accepted;
    const openBefore = proxy.open;
    // What a serverless handler does: its own connection for the request, closed after it.
    const handle = async (userId: string, chosen: 'dark' | 'light') => {
      const client = new Client(neonOptions());
      await client.connect();
      try {
        return await orgkit.runWithRequestScope(
          { database: drizzle({ client }), session: sessionFor(userId) },
          async () => {
            const access = await orgkit.getAccess();
            await orgkit.updateUserPreferences(userId, { theme: chosen });
            await orgkit.logAuditEvent('post.viewed', 'post', `neon-client-${userId}`);
            const seen = await orgkit.withRls((tx) => tx.select({ theme }).from(userPreferences));
            return { roles: [...access.roles], seen };
          },
        );
      } finally {
        await client.end();
      }
    };
    const results = await Promise.all([
      handle(READER, 'light'),
      handle(ADMIN, 'dark'),
      handle(READER, 'light'),
    ]);
    expect(results).toEqual([
      { roles: ['user', 'member'], seen: [{ theme: 'light' }] },
      { roles: ['admin'], seen: [{ theme: 'dark' }] },
      { roles: ['user', 'member'], seen: [{ theme: 'light' }] },
    ]);
    expect(proxy.accepted - acceptedBefore).toBe(3);
    // Each request's connection is gone once it ended.
    for (let i = 0; proxy.open > openBefore && i < 50; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(proxy.open).toBe(openBefore);
    const verifier = orgkitOn(drizzle({ client: pool }));
    expect((await verifier.verifyAuditChain()).valid).toBe(true);
  });
});
