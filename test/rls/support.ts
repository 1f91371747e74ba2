import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { rowsOf } from '../../src/db/database.js';
import {
  defineRlsModel,
  generateRlsSql,
  orgkitRlsTables,
  type RlsTarget,
  withRls,
} from '../../src/rls/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { sessionFor } from '../support/sessions.js';

/** The seed's app tables, declared beside orgkit's own. */
export const FIXTURE_DDL = `
CREATE TABLE events (id text PRIMARY KEY, workos_org_id text NOT NULL, title text NOT NULL DEFAULT '');
CREATE TABLE meetings (id text PRIMARY KEY, expert_org_id text NOT NULL, guest_workos_user_id text, title text NOT NULL DEFAULT '');
CREATE TABLE profiles (id text PRIMARY KEY, workos_user_id text NOT NULL, bio text NOT NULL DEFAULT '');
CREATE TABLE payment_transfers (id text PRIMARY KEY, workos_org_id text NOT NULL, amount integer NOT NULL DEFAULT 0);
`;

export const appModel = defineRlsModel({
  tables: {
    ...orgkitRlsTables(),
    events: { kind: 'org', organizationColumn: 'workos_org_id' },
    meetings: {
      kind: 'shared',
      organizationColumn: 'expert_org_id',
      sharedUserColumn: 'guest_workos_user_id',
      commands: { delete: { permission: 'meetings:delete' } },
    },
    profiles: { kind: 'owner', userColumn: 'workos_user_id' },
    payment_transfers: { kind: 'append-only', organizationColumn: 'workos_org_id' },
  },
});

/** Runs a multi-statement script as the connection's (superuser) role. */
export async function execScript(db: OrgkitDatabase, text: string): Promise<void> {
  const client = (
    db as unknown as {
      $client: { exec?: (t: string) => Promise<unknown>; query: (t: string) => Promise<unknown> };
    }
  ).$client;
  await (client.exec ? client.exec(text) : client.query(text));
}

export async function rows<T = Record<string, unknown>>(
  db: { execute: OrgkitDatabase['execute'] },
  query: ReturnType<typeof sql>,
): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

// The `auth` schema is global on a real server and other test files may create it at the same
// time: identical bodies, IF NOT EXISTS / OR REPLACE, and a retry on a concurrent-update error.
const SHIMS = `
CREATE SCHEMA IF NOT EXISTS auth;
CREATE OR REPLACE FUNCTION auth.session() RETURNS jsonb LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb $$;
CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb $$;
CREATE OR REPLACE FUNCTION auth.user_id() RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub' $$;
GRANT USAGE ON SCHEMA auth TO PUBLIC;
`;

/** Installs stand-ins for the `auth.*` claim functions Neon and Supabase provide. */
export async function installShims(db: OrgkitDatabase): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await execScript(db, SHIMS);
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
    }
  }
}

/** Creates the fixtures and applies the generated policies for `target`. */
export async function prepare(
  test: TestDatabase,
  target: RlsTarget,
  options: { skipFixtures?: boolean; permissivePolicies?: 'combined' | 'separate' } = {},
): Promise<string> {
  if (!options.skipFixtures) await execScript(test.db, FIXTURE_DDL);
  if (target !== 'postgres') await installShims(test.db);
  const text = generateRlsSql(appModel, {
    target,
    schema: test.schema,
    ...(options.permissivePolicies ? { permissivePolicies: options.permissivePolicies } : {}),
  });
  await execScript(test.db, text);
  return text;
}

export const ORG_A = 'org_A';
export const ORG_B = 'org_B';
export const ORG_P = 'org_P_personal';

/** Who queries: the token claims each actor carries. */
export const ACTORS = {
  sameOrgMember: sessionFor('user_a1', { organizationId: ORG_A, role: 'member' }),
  sameOrgAdmin: sessionFor('user_a2', {
    organizationId: ORG_A,
    role: 'admin',
    permissions: ['meetings:delete', 'audit:read'],
  }),
  otherOrg: sessionFor('user_b1', {
    organizationId: ORG_B,
    role: 'admin',
    permissions: ['meetings:delete', 'audit:read'],
  }),
  guest: sessionFor('user_g', { organizationId: ORG_P, role: 'member' }),
  noOrganization: sessionFor('user_a1'),
} as const;
export type ActorName = keyof typeof ACTORS | 'noClaims';

/** A transaction as the request role with no claims set at all. */
export function asNoClaims<T>(
  db: OrgkitDatabase,
  fn: (tx: Parameters<Parameters<OrgkitDatabase['transaction']>[0]>[0]) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw('SET LOCAL ROLE "authenticated"'));
    return fn(tx);
  });
}

/** Runs `fn` as `actor`. */
export function as<T>(
  db: OrgkitDatabase,
  actor: ActorName,
  fn: (tx: Parameters<Parameters<OrgkitDatabase['transaction']>[0]>[0]) => Promise<T>,
): Promise<T> {
  return actor === 'noClaims' ? asNoClaims(db, fn) : withRls(db, ACTORS[actor], fn);
}

class Rollback extends Error {
  constructor(readonly value: unknown) {
    super('rollback');
  }
}

/** Like {@link as}, but rolls the transaction back after `fn` returns. */
export async function asAndRollBack<T>(
  db: OrgkitDatabase,
  actor: ActorName,
  fn: (tx: Parameters<Parameters<OrgkitDatabase['transaction']>[0]>[0]) => Promise<T>,
): Promise<T> {
  try {
    await as(db, actor, async (tx) => {
      throw new Rollback(await fn(tx));
    });
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
  throw new Error('unreachable');
}

/** The Postgres error under drizzle's wrapper: `{ code, message }`. */
export function pgError(error: unknown): { code?: string; message: string } {
  let e: unknown = error;
  while (e instanceof Error) {
    if ('code' in e && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      return { code: e.code, message: e.message };
    }
    e = e.cause;
  }
  return { message: String(error) };
}

/** What an attempted write did: `ok`, refused by a policy (`rls`), or by missing grants (`denied`). */
export async function attempt(run: () => Promise<unknown>): Promise<'ok' | 'rls' | 'denied'> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    const e = pgError(error);
    if (e.code === '42501' && /row-level security/.test(e.message)) return 'rls';
    if (e.code === '42501' && /permission denied/.test(e.message)) return 'denied';
    throw error;
  }
}
