import { Pool as NeonPool } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNeon } from 'drizzle-orm/neon-serverless';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePostgresJs } from 'drizzle-orm/postgres-js';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/database.js';
import { runtimeAccessControl } from './app/app.js';
import { type PgBouncer, startPgBouncer } from './support/pgbouncer.js';
import { ADMIN, READER, seedRuntimeUsers } from './support/scenario.js';
import { startWsProxy, useWsProxy } from './support/ws-proxy.js';

const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL) throw new Error('needs DATABASE_URL (PostgreSQL)');

type Claims = { role: string; sub: string | null };
const rowsOf = (result: unknown): Claims[] =>
  Array.isArray(result) ? (result as Claims[]) : (result as { rows: Claims[] }).rows;

// Each driver through PgBouncer in transaction pooling: consecutive transactions of one client
// land on any server connection, and one server connection serves many clients in turn.
const DRIVERS: {
  name: string;
  preparedStatements: boolean;
  open(url: string): Promise<{ db: OrgkitDatabase; close(): Promise<void> }>;
}[] = [
  {
    name: 'postgres.js (prepare: false)',
    preparedStatements: true,
    open: async (url) => {
      const client = postgres(url, { max: 8, prepare: false, onnotice: () => {} });
      return { db: drizzlePostgresJs({ client }), close: () => client.end({ timeout: 5 }) };
    },
  },
  {
    name: 'node-postgres (preparedStatements: false)',
    preparedStatements: false,
    open: async (url) => {
      const pool = new pg.Pool({ connectionString: url, max: 8 });
      return { db: drizzlePg({ client: pool }), close: () => pool.end() };
    },
  },
  {
    // Neon's `-pooler` endpoints: its WebSocket Pool (node-postgres underneath) through wsproxy
    // to PgBouncer in transaction mode.
    name: "Neon's WebSocket Pool (preparedStatements: false)",
    preparedStatements: false,
    open: async (url) => {
      const { hostname, port } = new URL(url);
      const proxy = await startWsProxy({ allowed: [`${hostname}:${port}`] });
      useWsProxy(proxy);
      const pool = new NeonPool({ connectionString: url, max: 8 });
      return {
        db: drizzleNeon({ client: pool }),
        close: async () => {
          await pool.end();
          await proxy.stop();
        },
      };
    },
  },
];

describe.each(DRIVERS)('transaction pooling (PgBouncer) with $name', (driver) => {
  let t: TestDatabase;
  let bouncer: PgBouncer;
  let conn: { db: OrgkitDatabase; close(): Promise<void> };
  beforeAll(async () => {
    t = await createTestDatabase({ url: DATABASE_URL, rls: true });
    await seedRuntimeUsers(t);
    bouncer = await startPgBouncer({
      serverUrl: DATABASE_URL,
      user: t.role,
      schema: t.schema,
      poolSize: 2,
    });
    conn = await driver.open(bouncer.url);
  }, 60_000);
  const orgkitOn = () =>
    createOrgkit({
      database: conn.db,
      preparedStatements: driver.preparedStatements,
      accessControl: runtimeAccessControl,
      session: { jwksUrl: 'http://127.0.0.1:1/jwks' },
    });
  afterAll(async () => {
    await conn?.close();
    await bouncer?.stop();
    await t?.close();
  });

  it('withRls sets its claims per transaction only: concurrent users each see their own, and nothing is left on the pooled connection', async () => {
    const orgkit = orgkitOn();
    const claimsIn = (userId: string) =>
      orgkit.runWithRequestScope({ session: { userId, roles: [], permissions: [] } as never }, () =>
        orgkit.withRls(async (tx) =>
          rowsOf(
            await tx.execute(
              sql`select current_user as "role", current_setting('request.jwt.claims', true)::json ->> 'sub' as "sub"`,
            ),
          ),
        ),
      );
    const users = Array.from({ length: 40 }, (_, i) => (i % 2 ? READER : ADMIN));
    const seen = await Promise.all(users.map((u) => claimsIn(u)));
    expect(seen.map((rows) => rows[0])).toEqual(
      users.map((sub) => ({ role: 'authenticated', sub })),
    );
    // Plain queries afterwards, on whatever server connection they get: the owner role and no
    // claims, so another client of the pooler never inherits a user's identity.
    const after = await Promise.all(
      Array.from(
        { length: 10 },
        async () =>
          rowsOf(
            await conn.db.execute(
              sql`select current_user as "role", nullif(current_setting('request.jwt.claims', true), '')::json ->> 'sub' as "sub"`,
            ),
          )[0],
      ),
    );
    for (const row of after) expect(row).toEqual({ role: t.role, sub: null });
  });

  it('roles, preferences and a hash-chained audit write work through the pooler', async () => {
    const orgkit = orgkitOn();
    for (let i = 0; i < 5; i++) {
      orgkit.invalidateUser?.(READER);
      await expect(orgkit.getUserRoles(READER)).resolves.toEqual(['user']);
    }
    const system = { actor: { system: 'pooling-test' } } as const;
    await orgkit.updateUserPreferences(READER, { theme: 'dark' }, system);
    expect((await orgkit.getUserPreferences(READER, system)).theme).toBe('dark');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        orgkit.logAuditEvent('post.viewed', 'post', `p${i}`, undefined, undefined, system),
      ),
    );
    expect((await orgkit.verifyAuditChain()).valid).toBe(true);
  });
});
