import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import { isOrgkitError } from '../../src/errors/index.js';
import type { SessionVerifier } from '../../src/session/index.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { openTestDatabase } from '../support/databases.js';
import { verifierFor } from './support.js';

// What a JWKS endpoint in trouble does: serve the set, answer 503, or never answer.
type Mode = 'up' | 'down' | 'hang';

interface ControlledJwks {
  jwksUrl: string;
  mode: Mode;
  /** Requests the endpoint received. */
  requests: number;
  close(): Promise<void>;
}

/** A real HTTP server serving `issuer`'s key set, or withholding it, as the test says. */
async function controlledJwks(issuer: TestTokenIssuer, mode: Mode): Promise<ControlledJwks> {
  const state = { mode, requests: 0 };
  const server = createServer((_req, res) => {
    state.requests++;
    if (state.mode === 'hang') return;
    if (state.mode === 'down') res.writeHead(503).end('unavailable');
    else
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    jwksUrl: `http://127.0.0.1:${port}/sso/jwks/client_1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

/** A clock only the test moves. */
function manualClock() {
  let ms = Date.now();
  return {
    now: () => ms,
    advance(by: number) {
      ms += by;
    },
  };
}

/** How one verification ended: its user, or the `reason` and `retryAfterSeconds` of its rejection. */
type Outcome =
  | { ok: true }
  | { ok: false; reason: unknown; retryAfterSeconds: unknown; code: unknown };

/** Verifies `count` fresh tokens at the same time and reports how each ended. */
async function verifyConcurrently(
  verifier: SessionVerifier,
  issuer: TestTokenIssuer,
  count: number,
): Promise<Outcome[]> {
  const tokens = await Promise.all(Array.from({ length: count }, () => issuer.mint({})));
  return Promise.all(
    tokens.map((token) =>
      verifier.verifyAccessToken(token).then(
        (): Outcome => ({ ok: true }),
        (error: unknown): Outcome => {
          if (!isOrgkitError(error)) throw error;
          return {
            ok: false,
            code: error.code,
            reason: error.reason,
            retryAfterSeconds: error.details?.retryAfterSeconds,
          };
        },
      ),
    ),
  );
}

const refused = (retryAfterSeconds?: number): Outcome => ({
  ok: false,
  code: 'unauthenticated',
  reason: 'jwks_unavailable',
  retryAfterSeconds,
});

let issuer: TestTokenIssuer;
beforeAll(async () => {
  issuer = await createTestTokenIssuer();
});
afterAll(() => issuer.close());

describe('JWKS endpoint down before any key set was read', () => {
  it('concurrent verifications share one request, then fail fast for the cool-down, then one asks again', async () => {
    const jwks = await controlledJwks(issuer, 'down');
    try {
      const clock = manualClock();
      const verifier = verifierFor(
        { jwksUrl: jwks.jwksUrl, issuer: issuer.issuer },
        { jwksFailureCooldownMs: 10_000, jwksTimeoutMs: 2_000, now: clock.now },
      );

      expect(await verifyConcurrently(verifier, issuer, 20)).toEqual(Array(20).fill(refused()));
      expect(jwks.requests).toBe(1);

      // During the cool-down no verification asks, whatever the endpoint does meanwhile: one
      // that asked a hanging endpoint would still be waiting.
      jwks.mode = 'hang';
      clock.advance(4_000);
      expect(await verifyConcurrently(verifier, issuer, 20)).toEqual(Array(20).fill(refused(6)));
      jwks.mode = 'up';
      clock.advance(5_999);
      expect(await verifyConcurrently(verifier, issuer, 5)).toEqual(Array(5).fill(refused(1)));
      expect(jwks.requests).toBe(1);

      // After it, one request again, shared; still down, so a new cool-down starts.
      jwks.mode = 'down';
      clock.advance(1);
      expect(await verifyConcurrently(verifier, issuer, 20)).toEqual(Array(20).fill(refused()));
      expect(jwks.requests).toBe(2);
      expect(await verifyConcurrently(verifier, issuer, 3)).toEqual(Array(3).fill(refused(10)));
      expect(jwks.requests).toBe(2);

      // The endpoint is back: the next request after the cool-down reads the set, and it is kept.
      jwks.mode = 'up';
      clock.advance(10_000);
      expect(await verifyConcurrently(verifier, issuer, 20)).toEqual(Array(20).fill({ ok: true }));
      expect(jwks.requests).toBe(3);
      expect(await verifyConcurrently(verifier, issuer, 5)).toEqual(Array(5).fill({ ok: true }));
      expect(jwks.requests).toBe(3);
    } finally {
      await jwks.close();
    }
  });

  it('a request that times out counts as a failure: the next verifications fail fast', async () => {
    const jwks = await controlledJwks(issuer, 'hang');
    try {
      const clock = manualClock();
      const verifier = verifierFor(
        { jwksUrl: jwks.jwksUrl, issuer: issuer.issuer },
        { jwksFailureCooldownMs: 10_000, jwksTimeoutMs: 100, now: clock.now },
      );
      expect(await verifyConcurrently(verifier, issuer, 10)).toEqual(Array(10).fill(refused()));
      expect(await verifyConcurrently(verifier, issuer, 10)).toEqual(Array(10).fill(refused(10)));
      expect(jwks.requests).toBe(1);
    } finally {
      await jwks.close();
    }
  });

  it('with jwksFailureCooldownMs 0, every verification after a failure asks again', async () => {
    const jwks = await controlledJwks(issuer, 'down');
    try {
      const verifier = verifierFor(
        { jwksUrl: jwks.jwksUrl, issuer: issuer.issuer },
        { jwksFailureCooldownMs: 0 },
      );
      for (let i = 1; i <= 3; i++) {
        expect(await verifyConcurrently(verifier, issuer, 4)).toEqual(Array(4).fill(refused()));
        expect(jwks.requests).toBe(i);
      }
    } finally {
      await jwks.close();
    }
  });

  it('matches a model of the cool-down over any sequence of outages, recoveries and clock moves', async () => {
    const cooldownMs = 10_000;
    const step = fc.record({
      advanceMs: fc.oneof(fc.integer({ min: 0, max: 12_000 }), fc.constantFrom(9_999, 10_000)),
      mode: fc.constantFrom<Mode>('up', 'down'),
      concurrent: fc.integer({ min: 1, max: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        const jwks = await controlledJwks(issuer, 'down');
        try {
          const clock = manualClock();
          const verifier = verifierFor(
            { jwksUrl: jwks.jwksUrl, issuer: issuer.issuer },
            { jwksFailureCooldownMs: cooldownMs, now: clock.now },
          );
          // The model: a set once read is kept (it never ages here); without one, a request is
          // sent only outside the cool-down of the last failed one.
          let haveSet = false;
          let retryAt: number | undefined;
          let requests = 0;
          for (const { advanceMs, mode, concurrent } of steps) {
            clock.advance(advanceMs);
            jwks.mode = mode;
            let expected: Outcome;
            if (haveSet) expected = { ok: true };
            else if (retryAt !== undefined && clock.now() < retryAt) {
              expected = refused(Math.ceil((retryAt - clock.now()) / 1000));
            } else {
              requests++;
              if (mode === 'up') {
                haveSet = true;
                expected = { ok: true };
              } else {
                retryAt = clock.now() + cooldownMs;
                expected = refused();
              }
            }
            const outcomes = await verifyConcurrently(verifier, issuer, concurrent);
            expect(outcomes).toEqual(Array(concurrent).fill(expected));
            expect(jwks.requests).toBe(requests);
          }
        } finally {
          await jwks.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('JWKS endpoint down when the key set has aged', () => {
  it('concurrent verifications of an aged set share one refresh', async () => {
    const jwks = await controlledJwks(issuer, 'up');
    try {
      const clock = manualClock();
      const verifier = verifierFor(
        { jwksUrl: jwks.jwksUrl, issuer: issuer.issuer },
        { jwksCacheMaxAgeMs: 60_000, now: clock.now },
      );
      await verifyConcurrently(verifier, issuer, 1);
      clock.advance(60_000);
      expect(await verifyConcurrently(verifier, issuer, 20)).toEqual(Array(20).fill({ ok: true }));
      expect(jwks.requests).toBe(2);
    } finally {
      await jwks.close();
    }
  });

  it('with no usable last set (jwksMaxStaleMs 0), a failed refresh also fails fast for the cool-down', async () => {
    const jwks = await controlledJwks(issuer, 'up');
    try {
      const clock = manualClock();
      const verifier = verifierFor(
        { jwksUrl: jwks.jwksUrl, issuer: issuer.issuer },
        {
          jwksCacheMaxAgeMs: 60_000,
          jwksMaxStaleMs: 0,
          jwksFailureCooldownMs: 5_000,
          now: clock.now,
        },
      );
      expect(await verifyConcurrently(verifier, issuer, 1)).toEqual([{ ok: true }]);
      jwks.mode = 'down';
      clock.advance(60_000);
      expect(await verifyConcurrently(verifier, issuer, 10)).toEqual(Array(10).fill(refused()));
      expect(jwks.requests).toBe(2);
      clock.advance(2_000);
      expect(await verifyConcurrently(verifier, issuer, 10)).toEqual(Array(10).fill(refused(3)));
      expect(jwks.requests).toBe(2);
      jwks.mode = 'up';
      clock.advance(3_000);
      expect(await verifyConcurrently(verifier, issuer, 10)).toEqual(Array(10).fill({ ok: true }));
      expect(jwks.requests).toBe(3);
    } finally {
      await jwks.close();
    }
  });
});

describe('createOrgkit session.jwksFailureCooldownMs', () => {
  it('is validated and reaches the verifier: within it verifications fail fast, with 0 each asks', async () => {
    const { db, close } = await openTestDatabase({ url: undefined });
    const jwks = await controlledJwks(issuer, 'down');
    try {
      const session = { jwksUrl: jwks.jwksUrl, issuers: [issuer.issuer] };
      expect(() =>
        createOrgkit({ database: db, session: { ...session, jwksFailureCooldownMs: -1 } }),
      ).toThrowError(/createOrgkit: session\.jwksFailureCooldownMs/);

      const withCooldown = createOrgkit({
        database: db,
        session: { ...session, jwksFailureCooldownMs: 3_600_000 },
      });
      for (let i = 0; i < 3; i++) {
        await expect(withCooldown.verifyAccessToken(await issuer.mint({}))).rejects.toMatchObject({
          code: 'unauthenticated',
          reason: 'jwks_unavailable',
        });
      }
      expect(jwks.requests).toBe(1);

      const noCooldown = createOrgkit({
        database: db,
        session: { ...session, jwksFailureCooldownMs: 0 },
      });
      for (let i = 0; i < 3; i++) {
        await expect(noCooldown.verifyAccessToken(await issuer.mint({}))).rejects.toMatchObject({
          code: 'unauthenticated',
          reason: 'jwks_unavailable',
        });
      }
      expect(jwks.requests).toBe(4);
    } finally {
      await jwks.close();
      await close();
    }
  });
});
