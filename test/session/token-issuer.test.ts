import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestTokenIssuer,
  type TestTokenClaims,
  type TestTokenIssuer,
} from '../../src/testing/token-issuer.js';

const open: TestTokenIssuer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((i) => i.close()));
});
async function start(options?: Parameters<typeof createTestTokenIssuer>[0]) {
  const issuer = await createTestTokenIssuer(options);
  open.push(issuer);
  return issuer;
}

describe('createTestTokenIssuer', () => {
  it('serves public keys only at /sso/jwks/<clientId>, like WorkOS, and counts fetches', async () => {
    const issuer = await start({ clientId: 'client_123', kid: 'key_a' });
    expect(new URL(issuer.jwksUrl).pathname).toBe('/sso/jwks/client_123');
    const response = await fetch(issuer.jwksUrl);
    const body = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys).toHaveLength(1);
    expect(body.keys[0]).toMatchObject({ kty: 'RSA', kid: 'key_a', alg: 'RS256', use: 'sig' });
    expect(body.keys[0]).not.toHaveProperty('d');
    expect((await fetch(issuer.jwksUrl.replace('client_123', 'client_x'))).status).toBe(404);
    expect(issuer.fetchCount).toBe(1);
  });

  it('mints RS256 tokens with WorkOS-shaped defaults', async () => {
    const issuer = await start();
    const token = await issuer.mint();
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      kid: 'orgkit_test_key',
    });
    const claims = decodeJwt(token);
    expect(claims.sub).toMatch(/^user_[0-9A-F]{26}$/);
    expect(claims.sid).toMatch(/^session_[0-9A-F]{26}$/);
    expect(claims.iss).toBe(issuer.issuer);
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(claims).not.toHaveProperty('nbf');
  });

  it('mints the claims and header it is given, and leaves out claims passed as undefined', async () => {
    const issuer = await start({ issuer: 'https://api.workos.com' });
    const token = await issuer.mint(
      { sub: 'user_1', sid: undefined, org_id: 'org_1', roles: ['a', 'b'] },
      { expiresIn: 60, notBefore: -5, kid: 'other', header: { cty: 'x' } },
    );
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'user_1', org_id: 'org_1', roles: ['a', 'b'] });
    expect(claims).not.toHaveProperty('sid');
    expect(claims.iss).toBe('https://api.workos.com');
    expect(claims.exp! - claims.iat!).toBe(60);
    expect(claims.nbf).toBe(claims.iat! - 5);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: 'other', cty: 'x' });
  });

  it('rotates to a new signing key and keeps publishing the old one', async () => {
    const issuer = await start({ kid: 'k' });
    const kid = await issuer.rotateKey();
    expect(kid).not.toBe('k');
    expect(decodeProtectedHeader(await issuer.mint()).kid).toBe(kid);
    expect(issuer.jwks().keys.map((k) => k.kid)).toEqual(['k', kid]);
  });

  it('gives every issuer its own keys', async () => {
    const [a, b] = await Promise.all([start({ kid: 'same' }), start({ kid: 'same' })]);
    expect(a.jwks().keys[0]!.n).not.toBe(b.jwks().keys[0]!.n);
  });

  it('validates its options', async () => {
    await expect(createTestTokenIssuer({ clientId: '../admin' })).rejects.toMatchObject({
      code: 'invalid_input',
      details: { key: 'clientId' },
    });
    await expect(createTestTokenIssuer({ kid: '' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(
      createTestTokenIssuer({ port: 80 } as unknown as Parameters<typeof createTestTokenIssuer>[0]),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    const issuer = await start();
    await expect(issuer.mint({}, { expiresIn: Number.NaN })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(issuer.mint({}, { header: { alg: 'none' } })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(issuer.mint([] as unknown as TestTokenClaims)).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('stops serving the JWKS once closed, and closing twice is harmless', async () => {
    const issuer = await start();
    await issuer.close();
    await issuer.close();
    await expect(fetch(issuer.jwksUrl)).rejects.toThrow();
  });
});
