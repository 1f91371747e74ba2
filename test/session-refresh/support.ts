import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll } from 'vitest';
import { startWorkOSEmulator, type WorkOSEmulator } from '../../src/testing/emulator.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';

export const CLIENT_ID = 'client_refresh_test';
export const COOKIE_PASSWORD = 'a-test-cookie-password-of-32-chars-or-more';
const PASSWORD = 'correct horse battery staple 42';

export const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
export const closeServer = (server: Server | undefined) =>
  new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));

/** The value of the session cookie a response sets, as `wos-session=…`. */
export const cookiePair = (response: Response) =>
  response.headers
    .getSetCookie()
    .find((c) => c.startsWith('wos-session='))
    ?.split(';')[0];

/** The refresh-token rule WorkOS has and the emulator lacks, for one refresh request body. */
export function singleUseRule() {
  const used = new Set<string>();
  const state = { refreshes: 0, refused: 0 };
  return {
    state,
    /** A 400 `invalid_grant` for a refresh token seen before, else `undefined` (forward it). */
    judge(body: Record<string, unknown>): Response | undefined {
      if (body.grant_type !== 'refresh_token') return undefined;
      state.refreshes++;
      const token = String(body.refresh_token);
      if (!used.has(token)) {
        used.add(token);
        return undefined;
      }
      state.refused++;
      return Response.json(
        { error: 'invalid_grant', error_description: 'Refresh token already exchanged.' },
        { status: 400 },
      );
    },
  };
}

/**
 * The emulator, a token issuer, and a JWKS server serving both their keys (refreshed tokens are
 * the emulator's; the expired token of the first cookie is the issuer's), for one test file.
 */
export function setupRefreshEmulator() {
  const env = {} as {
    emulator: WorkOSEmulator;
    tokens: TestTokenIssuer;
    jwksUrl: string;
    jwks: Server;
  };
  beforeAll(async () => {
    env.emulator = await startWorkOSEmulator({ clientId: CLIENT_ID });
    env.tokens = await createTestTokenIssuer({ clientId: CLIENT_ID });
    const emulatorJwks = env.emulator.createClient().userManagement.getJwksUrl(CLIENT_ID);
    env.jwks = createServer(async (_req, res) => {
      const upstream = (await (await fetch(emulatorJwks)).json()) as { keys: unknown[] };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [...upstream.keys, ...env.tokens.jwks().keys] }));
    });
    env.jwksUrl = `${await listen(env.jwks)}/jwks`;
  });
  afterAll(async () => {
    await closeServer(env.jwks);
    await env.tokens?.close();
    await env.emulator?.close();
  });

  /** Ada signs in; her sealed cookie holds an access token that expired two minutes ago. */
  async function expiredCookie(): Promise<string> {
    const plain = env.emulator.createClient();
    await plain.userManagement.createUser({ email: 'ada@example.com', password: PASSWORD });
    const expiring: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).includes('/user_management/authenticate')) return response;
      const answer = await response.json();
      const { sub, sid } = decodeJwt(answer.access_token) as { sub: string; sid: string };
      answer.access_token = await env.tokens.mint({ sub, sid }, { expiresIn: -120 });
      return Response.json(answer, { status: response.status });
    };
    const signedIn = await env.emulator
      .createClient({ fetchFn: expiring })
      .userManagement.authenticateWithPassword({
        clientId: CLIENT_ID,
        email: 'ada@example.com',
        password: PASSWORD,
        session: { sealSession: true, cookiePassword: COOKIE_PASSWORD },
      });
    return `wos-session=${signedIn.sealedSession!}`;
  }

  return Object.assign(env, { expiredCookie });
}
