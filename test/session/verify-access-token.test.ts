import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { expectRejected, verifierFor } from './support.js';

let issuer: TestTokenIssuer;
beforeAll(async () => {
  issuer = await createTestTokenIssuer();
});
afterAll(() => issuer.close());

describe('verifyAccessToken: the session', () => {
  it('maps every WorkOS claim to the typed session', async () => {
    const verifier = verifierFor(issuer);
    const token = await issuer.mint({
      sub: 'user_01A',
      sid: 'session_01A',
      org_id: 'org_01A',
      role: 'admin',
      roles: ['admin', 'billing'],
      permissions: ['posts:read', 'posts:write'],
      entitlements: ['audit-logs'],
      feature_flags: ['beta'],
      act: { email: 'support@example.com', reason: 'ticket 42' },
      jti: 'jti_1',
    });
    const session = await verifier.verifyAccessToken(token);
    expect(session).toMatchObject({
      userId: 'user_01A',
      sessionId: 'session_01A',
      organizationId: 'org_01A',
      role: 'admin',
      roles: ['admin', 'billing'],
      permissions: ['posts:read', 'posts:write'],
      entitlements: ['audit-logs'],
      featureFlags: ['beta'],
      impersonator: { email: 'support@example.com', reason: 'ticket 42' },
    });
    expect(session.expiresAt).toBe(session.claims.exp);
    expect(session.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(session.claims).toMatchObject({ jti: 'jti_1', iss: issuer.issuer });
  });

  it('derives roles from role, and leaves absent claims empty', async () => {
    const verifier = verifierFor(issuer);
    const withRole = await verifier.verifyAccessToken(await issuer.mint({ role: 'member' }));
    expect(withRole.roles).toEqual(['member']);
    const bare = await verifier.verifyAccessToken(await issuer.mint({}));
    expect(bare).toMatchObject({
      organizationId: undefined,
      role: undefined,
      roles: [],
      permissions: [],
      entitlements: [],
      featureFlags: [],
      impersonator: undefined,
    });
    expect(bare.userId).toMatch(/^user_/);
    expect(bare.sessionId).toMatch(/^session_/);
  });

  it('gives an impersonator without a reason a null reason', async () => {
    const verifier = verifierFor(issuer);
    const token = await issuer.mint({ act: { email: 'admin@example.com' } });
    expect((await verifier.verifyAccessToken(token)).impersonator).toEqual({
      email: 'admin@example.com',
      reason: null,
    });
  });

  it('returns a frozen session, so a shared one cannot be altered', async () => {
    const session = await verifierFor(issuer).verifyAccessToken(await issuer.mint({ role: 'a' }));
    expect(Object.isFrozen(session)).toBe(true);
    expect(Object.isFrozen(session.roles)).toBe(true);
    expect(Object.isFrozen(session.claims)).toBe(true);
  });

  it('accepts any of the configured issuers', async () => {
    const other = await createTestTokenIssuer({ issuer: 'https://auth.example.com' });
    try {
      const verifier = verifierFor(other, { issuers: ['https://api.workos.com', other.issuer] });
      await expect(verifier.verifyAccessToken(await other.mint({}))).resolves.toBeDefined();
    } finally {
      await other.close();
    }
  });
});

describe('verifyAccessToken: clock tolerance', () => {
  it('accepts a token expired within the tolerance and rejects one beyond it', async () => {
    const verifier = verifierFor(issuer, { clockToleranceSeconds: 5 });
    await expect(
      verifier.verifyAccessToken(await issuer.mint({}, { expiresIn: -3 })),
    ).resolves.toBeDefined();
    await expectRejected(
      verifier.verifyAccessToken(await issuer.mint({}, { expiresIn: -10 })),
      'expired',
    );
  });

  it('accepts a not-before within the tolerance and rejects one beyond it', async () => {
    const verifier = verifierFor(issuer, { clockToleranceSeconds: 5 });
    await expect(
      verifier.verifyAccessToken(await issuer.mint({}, { notBefore: 3 })),
    ).resolves.toBeDefined();
    await expectRejected(
      verifier.verifyAccessToken(await issuer.mint({}, { notBefore: 60 })),
      'not_yet_valid',
    );
  });
});

describe('verifyAccessToken: audience', () => {
  it('ignores aud when no audience is configured (WorkOS production tokens carry none)', async () => {
    const verifier = verifierFor(issuer);
    await expect(verifier.verifyAccessToken(await issuer.mint({}))).resolves.toBeDefined();
    await expect(
      verifier.verifyAccessToken(await issuer.mint({ aud: 'someone-else' })),
    ).resolves.toBeDefined();
  });

  it('requires a configured audience', async () => {
    const verifier = verifierFor(issuer, { audience: ['client_a', 'client_b'] });
    await expect(
      verifier.verifyAccessToken(await issuer.mint({ aud: 'client_b' })),
    ).resolves.toBeDefined();
    await expectRejected(
      verifier.verifyAccessToken(await issuer.mint({ aud: 'client_c' })),
      'audience_mismatch',
    );
    await expectRejected(verifier.verifyAccessToken(await issuer.mint({})), 'audience_mismatch');
  });
});

describe('verifyAccessToken: claim types', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a missing sub', { sub: undefined }, 'sub'],
    ['a missing sid', { sid: undefined }, 'sid'],
    ['an empty sub', { sub: '' }, 'sub'],
    ['a numeric org_id', { org_id: 42 }, 'org_id'],
    ['a role that is not a string', { role: ['admin'] }, 'role'],
    ['roles that are not all strings', { roles: ['admin', 1] }, 'roles'],
    ['permissions given as a string', { permissions: 'posts:read' }, 'permissions'],
    ['entitlements given as an object', { entitlements: { a: 1 } }, 'entitlements'],
    ['an act without an email', { act: { reason: 'x' } }, 'act'],
    ['an act that is a string', { act: 'admin@example.com' }, 'act'],
    ['an exp that is not a number', { exp: 'tomorrow' }, 'exp'],
  ];
  it.each(cases)('rejects %s as claims_invalid', async (_name, claims, claim) => {
    const token = await issuer.mint(claims);
    const verifier = verifierFor(issuer);
    await expectRejected(verifier.verifyAccessToken(token), 'claims_invalid', token);
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      details: { claim },
    });
  });

  it('rejects a token without exp, which would never expire', async () => {
    const token = await issuer.mint({ exp: undefined });
    await expectRejected(verifierFor(issuer).verifyAccessToken(token), 'claims_invalid', token);
  });
});
