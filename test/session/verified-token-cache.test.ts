import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { expectRejected, verifierFor } from './support.js';

let issuer: TestTokenIssuer;
beforeAll(async () => {
  issuer = await createTestTokenIssuer();
});
afterAll(() => issuer.close());

/** `token` with `claims` written into its payload and its signature kept: a forgery. */
function withClaims(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const original = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const forged = Buffer.from(JSON.stringify({ ...original, ...claims })).toString('base64url');
  return `${header}.${forged}.${signature}`;
}

/** A clock the test moves forward instead of sleeping. */
function testClock() {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    advance(seconds: number) {
      offsetMs += seconds * 1000;
    },
  };
}

describe('verified-token cache', () => {
  it('serves a repeated token from the cache, and verifies every time without it', async () => {
    const token = await issuer.mint({ role: 'admin' });
    const cached = verifierFor(issuer, { verifiedTokenCache: { max: 10 } });
    const first = await cached.verifyAccessToken(token);
    expect(await cached.verifyAccessToken(token)).toBe(first);

    const uncached = verifierFor(issuer);
    const a = await uncached.verifyAccessToken(token);
    expect(await uncached.verifyAccessToken(token)).not.toBe(a);
    expect(await uncached.verifyAccessToken(token)).toEqual(a);
  });

  it('stops serving a cached token once it has expired', async () => {
    const clock = testClock();
    const verifier = verifierFor(issuer, {
      verifiedTokenCache: { max: 10 },
      clockToleranceSeconds: 0,
      now: clock.now,
    });
    const token = await issuer.mint({}, { expiresIn: 60 });
    const session = await verifier.verifyAccessToken(token);
    clock.advance(30);
    expect(await verifier.verifyAccessToken(token)).toBe(session);
    clock.advance(31);
    await expectRejected(verifier.verifyAccessToken(token), 'expired', token);
  });

  it('never keeps an entry past exp, even while the clock tolerance still accepts the token', async () => {
    const clock = testClock();
    const verifier = verifierFor(issuer, {
      verifiedTokenCache: { max: 10 },
      clockToleranceSeconds: 30,
      now: clock.now,
    });
    const token = await issuer.mint({}, { expiresIn: 60 });
    const session = await verifier.verifyAccessToken(token);
    clock.advance(70);
    const again = await verifier.verifyAccessToken(token);
    expect(again).not.toBe(session);
    expect(again.userId).toBe(session.userId);
  });

  it('is bounded: the least recently used token is evicted', async () => {
    const verifier = verifierFor(issuer, { verifiedTokenCache: { max: 2 } });
    const [a, b, c] = await Promise.all([issuer.mint({}), issuer.mint({}), issuer.mint({})]);
    const sessionA = await verifier.verifyAccessToken(a!);
    const sessionB = await verifier.verifyAccessToken(b!);
    await verifier.verifyAccessToken(c!);
    expect(await verifier.verifyAccessToken(b!)).toBe(sessionB);
    expect(await verifier.verifyAccessToken(a!)).not.toBe(sessionA);
  });

  it('serves only the very token it verified, not one that shares its signature', async () => {
    const verifier = verifierFor(issuer, { verifiedTokenCache: { max: 10 } });
    const token = await issuer.mint({ role: 'member' });
    const session = await verifier.verifyAccessToken(token);
    // The cache is keyed by the signature's tail: a forged payload under the same signature must
    // be verified, and refused, not served as the cached session.
    const forged = withClaims(token, { role: 'admin' });
    await expectRejected(verifier.verifyAccessToken(forged), 'signature_invalid', forged);
    expect(await verifier.verifyAccessToken(token)).toBe(session);
  });

  it('keeps caches of two verifiers apart', async () => {
    const token = await issuer.mint({});
    const one = verifierFor(issuer, { verifiedTokenCache: { max: 10 } });
    const two = verifierFor(issuer, { verifiedTokenCache: { max: 10 } });
    expect(await two.verifyAccessToken(token)).not.toBe(await one.verifyAccessToken(token));
  });

  it('peeks at what it verified: the cached session, and nothing it has not verified', async () => {
    const clock = testClock();
    const verifier = verifierFor(issuer, {
      verifiedTokenCache: { max: 10 },
      clockToleranceSeconds: 0,
      now: clock.now,
    });
    const token = await issuer.mint({ role: 'member' }, { expiresIn: 60 });
    expect(verifier.peekVerifiedSession(token)).toBeUndefined();
    const session = await verifier.verifyAccessToken(token);
    expect(verifier.peekVerifiedSession(token)).toBe(session);

    expect(verifier.peekVerifiedSession(withClaims(token, { role: 'admin' }))).toBeUndefined();
    expect(verifier.peekVerifiedSession(42 as unknown as string)).toBeUndefined();

    clock.advance(61);
    expect(verifier.peekVerifiedSession(token)).toBeUndefined();
  });

  it('peeks at nothing without a verified-token cache', async () => {
    const verifier = verifierFor(issuer);
    const token = await issuer.mint({});
    await verifier.verifyAccessToken(token);
    expect(verifier.peekVerifiedSession(token)).toBeUndefined();
  });
});
