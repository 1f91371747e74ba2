import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createHttpAuth } from '../../src/http/index.js';
import { createOrgkit } from '../../src/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { openTestDatabase } from '../support/databases.js';
import { SECRET, sign, type WireEvent } from '../sync/support.js';

/** The token issuer of a test file: orgkit trusts its keys as it would WorkOS's. */
export function setupTokenIssuer(): { readonly tokens: TestTokenIssuer } {
  const env = {} as { tokens: TestTokenIssuer };
  beforeAll(async () => {
    env.tokens = await createTestTokenIssuer();
  });
  afterAll(() => env.tokens?.close());
  return env;
}

/**
 * One orgkit instance as an app runs it: the emulator's WorkOS client, the test issuer's tokens,
 * signed webhooks, a role cache that would hold a record for ten minutes, and (with `channel`)
 * Redis invalidations, so only the bus can explain another instance seeing a change.
 */
export function openInstance(
  database: TestDatabase,
  workos: Parameters<typeof createOrgkit>[0]['workos'],
  tokens: TestTokenIssuer,
  channel: string | undefined,
) {
  const orgkit = createOrgkit({
    database: database.db,
    workos,
    clientId: tokens.clientId,
    session: { jwksUrl: tokens.jwksUrl, issuers: [tokens.issuer] },
    webhooks: { secret: SECRET },
    cache: { ttlMs: 600_000 },
    ...(channel ? { redis: { url: process.env.REDIS_URL!, channel } } : {}),
  });
  const http = createHttpAuth(orgkit);
  const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });
  return {
    orgkit,
    http,
    /** Delivers a WorkOS event to this instance as a signed webhook. */
    deliver: (event: WireEvent) => {
      const body = JSON.stringify(event);
      return orgkit.handleWorkOSWebhook(body, sign(body));
    },
    /** What a request with `token` may do here: a permission check, a guard and `getAccess`. */
    async may(token: string, permission: 'org:manage' | 'org:read' | 'billing:manage') {
      const auth = await http.authenticate(bearer(token), undefined);
      const guard = http.guard({ requiredPermission: permission });
      return orgkit.runWithRequestScope(auth.scope, async () => {
        const guarded = await guard.check(auth).then(
          () => 'allowed',
          (error: { code: string; reason?: string }) => `${error.code}:${error.reason}`,
        );
        if (!auth.session) return { guard: guarded, hasPermission: false, getAccess: false };
        return {
          guard: guarded,
          hasPermission: await orgkit.hasPermission(undefined, permission),
          getAccess: (await orgkit.getAccess()).hasPermission(permission),
        };
      });
    },
  };
}

export type Instance = ReturnType<typeof openInstance>;

/** Polls `read` every 5 ms until `done` holds; fails after `withinMs`. */
export async function within<T>(
  withinMs: number,
  read: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`not reached within ${withinMs} ms: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits for the next whole second, so a token minted now has an `iat` after every earlier change. */
export async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1001 - (Date.now() % 1000)));
}

/** The claims a token carries, as anyone can read them. */
export const claimsOf = (token: string) => decodeJwt(token);

/** A `session.revoked` event in wire form, as WorkOS sends it (the emulator emits none). */
export function sessionRevokedEvent(userId: string, sessionId: string): WireEvent {
  const now = new Date().toISOString();
  return {
    id: `event_revoked_${sessionId}`,
    event: 'session.revoked',
    created_at: now,
    data: {
      object: 'session',
      id: sessionId,
      user_id: userId,
      ip_address: null,
      user_agent: null,
      auth_method: 'password',
      status: 'revoked',
      expires_at: now,
      ended_at: now,
      created_at: now,
      updated_at: now,
    },
  };
}

/** One instance, and with REDIS_URL two sharing Redis: the topologies the revocation tests run. */
export const TOPOLOGIES = [
  { name: 'one instance', instances: 1 },
  ...(process.env.REDIS_URL ? [{ name: 'two instances sharing Redis', instances: 2 }] : []),
];

/**
 * `count` instances over one private database on `target`, sharing a fresh Redis channel when
 * there are several; `close` ends them and the database.
 */
export async function openInstances(
  target: { url: string | undefined },
  count: number,
  workos: Parameters<typeof openInstance>[1],
  tokens: TestTokenIssuer,
) {
  const t = await openTestDatabase(target);
  const channel = count > 1 ? `orgkit:test:${crypto.randomUUID()}` : undefined;
  const instances = Array.from({ length: count }, () => openInstance(t, workos, tokens, channel));
  const close = async () => {
    for (const instance of instances) await instance.orgkit.close();
    await t.close();
  };
  /** Lets the subscribers attach before anything is published. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, channel ? 200 : 0));
  return { t, instances, close, settle };
}

/**
 * For one describe block: a function opening {@link openInstances} for the current test, closed
 * after it.
 */
export function instancesPerTest(
  target: { url: string | undefined },
  count: number,
  workos: () => Parameters<typeof openInstance>[1],
  tokens: () => TestTokenIssuer,
) {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });
  return async () => {
    const opened = await openInstances(target, count, workos(), tokens());
    close = opened.close;
    return opened;
  };
}
