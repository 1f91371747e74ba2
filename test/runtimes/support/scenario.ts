import { expect } from 'vitest';
import { createOrgkit } from '../../../src/create-orgkit.js';
import { createOrgkitTables } from '../../../src/db/tables.js';
import type { TestDatabase } from '../../../src/testing/database.js';
import type { TestTokenIssuer } from '../../../src/testing/token-issuer.js';

/** Sends one request to the runtime app: in-process (`app.fetch`) or over HTTP. */
export type Send = (path: string, init?: RequestInit) => Promise<Response>;

export const READER = 'user_runtime_reader';
export const ADMIN = 'user_runtime_admin';
export const ORGANIZATION = 'org_runtime';

/** The users the scenario signs in as: a reader (`posts:read`) and an admin. */
export async function seedRuntimeUsers(t: TestDatabase): Promise<void> {
  const { users } = createOrgkitTables();
  await t.db.insert(users).values([
    { workosUserId: READER, email: 'reader@example.com', role: 'user' },
    { workosUserId: ADMIN, email: 'admin@example.com', role: 'admin' },
  ]);
}

const json = async (response: Response) => ({
  status: response.status,
  body: (await response.json()) as Record<string, unknown>,
});

/**
 * What every runtime must do with one long-lived orgkit instance and a database per request:
 * guards (200/401/403), `getAccess`, preferences, an audit write with a valid chain, `withRls`,
 * and the JWKS fetched once however many requests. Returns the audit rows' client IPs.
 */
export async function runRuntimeScenario(
  send: Send,
  tokens: TestTokenIssuer,
  t: TestDatabase,
  { requests = 30 }: { requests?: number } = {},
): Promise<{ auditIps: (string | null)[] }> {
  const fetchesBefore = tokens.fetchCount;
  // Audit reads need an organization in the session (the reader's app role grants audit:read).
  const reader = await tokens.mint({ sub: READER, org_id: ORGANIZATION });
  const admin = await tokens.mint({ sub: ADMIN });
  const as = (token: string, init: RequestInit = {}) => ({
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
  });

  expect((await send('/api/guarded')).status).toBe(401);
  expect((await send('/api/guarded', as(`${reader}x`))).status).toBe(401);
  for (let i = 0; i < requests; i++) {
    expect((await send('/api/guarded', as(i % 2 ? reader : admin))).status).toBe(200);
  }
  expect(await json(await send('/api/write', as(reader)))).toMatchObject({
    status: 403,
    body: { error: { code: 'forbidden' } },
  });
  expect((await send('/api/write', as(admin))).status).toBe(200);

  expect(await json(await send('/api/access', as(reader)))).toMatchObject({
    status: 200,
    body: { userId: READER, roles: ['user'], canWrite: false },
  });

  const prefs = await json(
    await send(
      '/api/preferences',
      as(reader, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ theme: 'dark' }),
      }),
    ),
  );
  expect(prefs).toMatchObject({ status: 200, body: { theme: 'dark', language: 'en' } });

  for (const id of ['p1', 'p2']) {
    expect(
      await json(await send(`/api/audit/${id}`, as(reader, { method: 'POST' }))),
    ).toMatchObject({ status: 200, body: { chainValid: true } });
  }

  expect(await json(await send('/api/rls', as(admin)))).toEqual({
    status: 200,
    body: { role: 'authenticated', sub: ADMIN },
  });

  // One key set for the isolate or process, however many requests and connections.
  expect(tokens.fetchCount - fetchesBefore).toBe(1);

  const { auditLogs } = createOrgkitTables();
  const rows = await t.db
    .select({ ip: auditLogs.ipAddress, resourceId: auditLogs.targetId })
    .from(auditLogs);
  const viewed = rows.filter((r) => r.resourceId === 'p1' || r.resourceId === 'p2');
  expect(viewed).toHaveLength(2);
  return { auditIps: viewed.map((r) => r.ip) };
}

/**
 * The same app built on `createOrgkitCore`: guards, `getAccess`, audit writes and `withRls` with
 * one JWKS fetch; the chain the writes extended is verified here, by a full instance.
 */
export async function runCoreRuntimeScenario(
  send: Send,
  tokens: TestTokenIssuer,
  t: TestDatabase,
): Promise<void> {
  const fetchesBefore = tokens.fetchCount;
  const reader = await tokens.mint({ sub: READER, org_id: ORGANIZATION });
  const admin = await tokens.mint({ sub: ADMIN });
  const as = (token: string, init: RequestInit = {}) => ({
    ...init,
    headers: { authorization: `Bearer ${token}` },
  });

  expect((await send('/api/guarded')).status).toBe(401);
  for (let i = 0; i < 20; i++) {
    expect((await send('/api/guarded', as(i % 2 ? reader : admin))).status).toBe(200);
  }
  expect((await send('/api/write', as(reader))).status).toBe(403);
  expect(await json(await send('/api/access', as(admin)))).toMatchObject({
    status: 200,
    body: { userId: ADMIN, roles: ['admin'], canWrite: true },
  });
  for (const id of ['c1', 'c2']) {
    expect(
      await json(await send(`/api/audit/${id}`, as(reader, { method: 'POST' }))),
    ).toMatchObject({ status: 200, body: { chainValid: null } });
  }
  expect(await json(await send('/api/rls', as(reader)))).toEqual({
    status: 200,
    body: { role: 'authenticated', sub: READER },
  });
  expect(tokens.fetchCount - fetchesBefore).toBe(1);

  const full = createOrgkit({ database: t.db });
  expect((await full.verifyAuditChain()).valid).toBe(true);
  const page = await full.queryAuditEvents({ action: 'post.viewed' });
  expect(page.events.map((e) => e.resourceId).sort()).toEqual(['c1', 'c2']);
}
