import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { expectRejected, verifierFor } from './support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((fn) => fn()));
});

async function issuerForTest(): Promise<TestTokenIssuer> {
  const issuer = await createTestTokenIssuer();
  cleanups.push(() => issuer.close());
  return issuer;
}

/** A JWKS endpoint whose behaviour the test controls. */
async function startServer(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/sso/jwks/client_1`;
}

/** A JWKS endpoint serving `issuer`'s keys that the test can take down and bring back. */
async function flakyJwks(issuer: TestTokenIssuer, healthy: boolean) {
  const state = { healthy, fetches: 0, jwksUrl: '' };
  state.jwksUrl = await startServer((_req, res) => {
    state.fetches++;
    if (!state.healthy) res.writeHead(503).end('unavailable');
    else
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks()));
  });
  return state;
}

describe('JWKS caching and refetching', () => {
  it('fetches the JWKS once and reuses it for later tokens', async () => {
    const issuer = await issuerForTest();
    const verifier = verifierFor(issuer);
    for (let i = 0; i < 5; i++) await verifier.verifyAccessToken(await issuer.mint({}));
    expect(issuer.fetchCount).toBe(1);
  });

  it('refetches on a rotated key and then verifies tokens from both keys', async () => {
    const issuer = await issuerForTest();
    const verifier = verifierFor(issuer, { jwksCooldownMs: 0 });
    const before = await issuer.mint({});
    await verifier.verifyAccessToken(before);
    expect(issuer.fetchCount).toBe(1);

    const newKid = await issuer.rotateKey();
    const after = await issuer.mint({});
    expect(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString()).kid).toBe(newKid);
    await expect(verifier.verifyAccessToken(after)).resolves.toBeDefined();
    expect(issuer.fetchCount).toBe(2);
    await expect(verifier.verifyAccessToken(before)).resolves.toBeDefined();
    expect(issuer.fetchCount).toBe(2);
  });

  it('does not refetch for an unknown kid within the cooldown', async () => {
    const issuer = await issuerForTest();
    const verifier = verifierFor(issuer, { jwksCooldownMs: 60_000 });
    await verifier.verifyAccessToken(await issuer.mint({}));
    for (let i = 0; i < 5; i++) {
      await expectRejected(
        verifier.verifyAccessToken(await issuer.mint({}, { kid: `unknown_${i}` })),
        'unknown_kid',
      );
    }
    await issuer.rotateKey();
    await expectRejected(verifier.verifyAccessToken(await issuer.mint({})), 'unknown_kid');
    expect(issuer.fetchCount).toBe(1);
  });

  it('refetches for an unknown kid once the cooldown has passed', async () => {
    const issuer = await issuerForTest();
    // Long enough that a key rotation on a loaded machine still falls inside the cooldown.
    const verifier = verifierFor(issuer, { jwksCooldownMs: 2_000 });
    await verifier.verifyAccessToken(await issuer.mint({}));
    await issuer.rotateKey();
    const rotated = await issuer.mint({});
    await expectRejected(verifier.verifyAccessToken(rotated), 'unknown_kid');
    expect(issuer.fetchCount).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await expect(verifier.verifyAccessToken(rotated)).resolves.toBeDefined();
    expect(issuer.fetchCount).toBe(2);
  });

  it('shares one fetch between concurrent verifications', async () => {
    const issuer = await issuerForTest();
    const verifier = verifierFor(issuer);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => issuer.mint({})));
    await Promise.all(tokens.map((t) => verifier.verifyAccessToken(t)));
    expect(issuer.fetchCount).toBe(1);
  });
});

describe('JWKS faults', () => {
  it('rejects with jwks_unavailable when the JWKS server is down', async () => {
    const issuer = await issuerForTest();
    const token = await issuer.mint({});
    await issuer.close();
    await expectRejected(verifierFor(issuer).verifyAccessToken(token), 'jwks_unavailable', token);
  });

  it('rejects with jwks_unavailable on an error status, and recovers when the server does', async () => {
    const issuer = await issuerForTest();
    const jwks = await flakyJwks(issuer, false);
    // No cool-down after the failure, so the next verification asks again at once.
    const verifier = verifierFor(
      { jwksUrl: jwks.jwksUrl, issuer: issuer.issuer },
      { jwksFailureCooldownMs: 0 },
    );
    const token = await issuer.mint({});
    await expectRejected(verifier.verifyAccessToken(token), 'jwks_unavailable', token);
    jwks.healthy = true;
    await expect(verifier.verifyAccessToken(token)).resolves.toBeDefined();
  });

  it.each([
    ['a body that is not JSON', 'not json'],
    ['JSON that is not a key set', JSON.stringify({ hello: 'world' })],
    ['a key that does not import', JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k', e: 'AQAB' }] })],
    [
      'a key too short for RS256',
      JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k', n: 'AQAB', e: 'AQAB' }] }),
    ],
  ])('rejects with jwks_unavailable on %s', async (_name, body) => {
    const issuer = await issuerForTest();
    const jwksUrl = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    const token = await issuer.mint({}, { kid: 'k' });
    await expectRejected(
      verifierFor({ jwksUrl, issuer: issuer.issuer }).verifyAccessToken(token),
      'jwks_unavailable',
      token,
    );
  });

  it('rejects with jwks_unavailable when the JWKS request times out', async () => {
    const issuer = await issuerForTest();
    const jwksUrl = await startServer(() => {
      // never answers
    });
    const verifier = verifierFor({ jwksUrl, issuer: issuer.issuer }, { jwksTimeoutMs: 100 });
    await expectRejected(verifier.verifyAccessToken(await issuer.mint({})), 'jwks_unavailable');
  });

  it('keeps verifying with the last key set while a refresh fails, backing off, within jwksMaxStaleMs', async () => {
    const issuer = await issuerForTest();
    const jwks = await flakyJwks(issuer, true);
    let clock = Date.now();
    // A set that ages at once, so every verification would refresh it.
    const verifier = verifierFor(
      { jwksUrl: jwks.jwksUrl, issuer: issuer.issuer },
      {
        jwksCacheMaxAgeMs: 0,
        jwksFailureCooldownMs: 10_000,
        jwksMaxStaleMs: 60_000,
        now: () => clock,
      },
    );
    await expect(verifier.verifyAccessToken(await issuer.mint({}))).resolves.toBeDefined();
    expect(jwks.fetches).toBe(1);

    jwks.healthy = false;
    const during = await issuer.mint({ sub: 'user_during_outage' });
    expect((await verifier.verifyAccessToken(during)).userId).toBe('user_during_outage');
    expect(jwks.fetches).toBe(2);
    // Within the cool-down the dead endpoint is not asked again.
    clock += 9_999;
    await expect(verifier.verifyAccessToken(await issuer.mint({}))).resolves.toBeDefined();
    expect(jwks.fetches).toBe(2);
    // The last set still checks signatures: a forged token stays refused.
    const forger = await createTestTokenIssuer({ issuer: issuer.issuer });
    cleanups.push(() => forger.close());
    await expectRejected(verifier.verifyAccessToken(await forger.mint({})), 'signature_invalid');

    clock += 1;
    jwks.healthy = true;
    // Past the cool-down the endpoint is asked again, once.
    await expect(verifier.verifyAccessToken(await issuer.mint({}))).resolves.toBeDefined();
    expect(jwks.fetches).toBe(3);
  });

  it('refuses with jwks_unavailable once the last set is older than jwksMaxStaleMs allows', async () => {
    const issuer = await issuerForTest();
    const jwks = await flakyJwks(issuer, true);
    const verifier = verifierFor(
      { jwksUrl: jwks.jwksUrl, issuer: issuer.issuer },
      { jwksCacheMaxAgeMs: 0, jwksMaxStaleMs: 0 },
    );
    await expect(verifier.verifyAccessToken(await issuer.mint({}))).resolves.toBeDefined();
    jwks.healthy = false;
    const token = await issuer.mint({});
    await expectRejected(verifier.verifyAccessToken(token), 'jwks_unavailable', token);
  });
});
