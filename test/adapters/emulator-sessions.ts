// What the adapter tests that sign in against the WorkOS emulator share: the served contract
// apps, cookie and form helpers, and an emulator whose next sign-in can hand out an expired token.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll } from 'vitest';
import type { HttpAuthOptions } from '../../src/http/index.js';
import { createOrgkit } from '../../src/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { startWorkOSEmulator, type WorkOSEmulator } from '../../src/testing/emulator.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { buildExpressApp } from './express-app.js';
import { buildHonoApp } from './hono-app.js';
import { type ServedApp, serveHono, serveNode } from './servers.js';
import { accessControl, EMULATOR_SEED, type TestOrgkit } from './support.js';

export const COOKIE_PASSWORD = 'a-test-cookie-password-of-32-chars-or-more';

/** `name=value` of the cookie `name` a response sets, and the whole `Set-Cookie` line. */
export function cookieOf(response: Response, name = 'wos-session') {
  const line = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return line ? { pair: line.split(';')[0]!, line } : undefined;
}

/** A form `POST`, redirects not followed. */
export const formPost = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  redirect: 'manual' as const,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});

export type Serve = (
  orgkit: TestOrgkit,
  options: (base: string) => HttpAuthOptions,
) => Promise<ServedApp>;

/** The contract's apps (see contract.ts), each served over real HTTP. */
export const CONTRACT_APPS: { name: string; serve: Serve }[] = [
  {
    name: 'express',
    serve: (orgkit, options) => serveNode((base) => buildExpressApp(orgkit, options(base)).app),
  },
  {
    name: 'hono',
    serve: (orgkit, options) =>
      serveHono((base) => buildHonoApp(orgkit, options(base)).app as never),
  },
];

/** The emulator of a test file, as {@link setupSigningEmulator} leaves it. */
export interface SigningEmulator {
  readonly emulator: WorkOSEmulator;
  readonly tokens: TestTokenIssuer;
  /** Serves the emulator's keys and the test issuer's: orgkit trusts both. */
  readonly jwksUrl: string;
  /** A WorkOS client whose requests pass through the file's `intercept` and the expiry switch. */
  workos(): ReturnType<WorkOSEmulator['createClient']>;
  /** The next code exchange hands out an access token that expired two minutes ago. */
  expireNextSignIn(): void;
  /** Forgets what the previous test set up (the expiry switch; call in `beforeEach`). */
  reset(): void;
  /** An orgkit instance over `database` trusting the emulator's and the test issuer's tokens. */
  openOrgkit(database: TestDatabase): TestOrgkit;
  /** The adapters' cookie-session options for an app served at `base`. */
  sessionOptions(base: string): NonNullable<HttpAuthOptions['session']>;
}

/**
 * One emulator per test file, started in `beforeAll`. The emulator's tokens live an hour and a
 * refresh test cannot wait: on request, the access token of one code exchange is replaced by one
 * for the same user and session that has already expired, signed by a test issuer whose keys the
 * JWKS served here adds to the emulator's. `intercept` sees every request first (to record it or
 * answer it itself).
 */
export function setupSigningEmulator(
  clientId: string,
  intercept?: (url: string, body: Record<string, unknown> | undefined) => Response | undefined,
): SigningEmulator {
  let expireNext = false;
  let jwks: ReturnType<typeof createServer> | undefined;
  const env = {} as { emulator: WorkOSEmulator; tokens: TestTokenIssuer; jwksUrl: string };

  const fetchFn: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const answered = intercept?.(url, body);
    if (answered) return answered;
    const response = await fetch(input, init);
    if (
      !expireNext ||
      !url.endsWith('/user_management/authenticate') ||
      body?.grant_type !== 'authorization_code'
    ) {
      return response;
    }
    expireNext = false;
    const answer = await response.json();
    const { sub, sid } = decodeJwt(answer.access_token) as { sub?: string; sid?: string };
    answer.access_token = await env.tokens.mint({ sub, sid }, { expiresIn: -120 });
    return Response.json(answer, { status: response.status });
  };
  const workos = () => env.emulator.createClient({ fetchFn, maxRetries: 0 });

  beforeAll(async () => {
    env.emulator = await startWorkOSEmulator({ seed: EMULATOR_SEED, clientId });
    env.tokens = await createTestTokenIssuer();
    const emulatorJwks = workos().userManagement.getJwksUrl(clientId);
    jwks = createServer(async (_req, res) => {
      const upstream = (await (await fetch(emulatorJwks)).json()) as { keys: unknown[] };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [...upstream.keys, ...env.tokens.jwks().keys] }));
    });
    await new Promise<void>((resolve) => jwks!.listen(0, '127.0.0.1', resolve));
    env.jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
  });
  afterAll(async () => {
    await new Promise((resolve) => jwks?.close(resolve));
    await env.tokens?.close();
    await env.emulator?.close();
  });

  return {
    get emulator() {
      return env.emulator;
    },
    get tokens() {
      return env.tokens;
    },
    get jwksUrl() {
      return env.jwksUrl;
    },
    workos,
    expireNextSignIn: () => {
      expireNext = true;
    },
    reset: () => {
      expireNext = false;
      env.emulator.reset();
    },
    openOrgkit: (database) =>
      createOrgkit({
        database: database.db,
        accessControl,
        workos: workos(),
        clientId,
        session: { jwksUrl: env.jwksUrl, issuers: [env.emulator.url, env.tokens.issuer] },
      }),
    sessionOptions: (base) => ({
      workos: workos(),
      clientId,
      cookiePassword: COOKIE_PASSWORD,
      redirectUri: `${base}/auth/callback`,
    }),
  };
}
