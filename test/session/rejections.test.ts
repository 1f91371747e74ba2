import { createPublicKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { expectRejected, verifierFor } from './support.js';

let issuer: TestTokenIssuer;
beforeAll(async () => {
  issuer = await createTestTokenIssuer({ kid: 'shared_kid' });
});
afterAll(() => issuer.close());

const b64url = (value: string) => Buffer.from(value).toString('base64url');

describe('verifyAccessToken rejects', () => {
  it('an unsigned token (alg: none)', async () => {
    const token = new UnsecuredJWT({ sub: 'user_1', sid: 'session_1' })
      .setIssuer(issuer.issuer)
      .setExpirationTime('5m')
      .encode();
    await expectRejected(verifierFor(issuer).verifyAccessToken(token), 'alg_not_allowed', token);
  });

  it('an HS256 token keyed with the RSA public key (algorithm confusion)', async () => {
    const [jwk] = issuer.jwks().keys;
    const pem = createPublicKey({ key: jwk!, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    const token = await new SignJWT({ sub: 'user_1', sid: 'session_1' })
      .setProtectedHeader({ alg: 'HS256', kid: jwk!.kid })
      .setIssuer(issuer.issuer)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(String(pem)));
    await expectRejected(verifierFor(issuer).verifyAccessToken(token), 'alg_not_allowed', token);
  });

  it('a token whose kid the JWKS does not hold', async () => {
    const token = await issuer.mint({}, { kid: 'not_a_published_kid' });
    await expectRejected(verifierFor(issuer).verifyAccessToken(token), 'unknown_kid', token);
  });

  it('an expired token', async () => {
    const token = await issuer.mint({}, { expiresIn: -60 });
    await expectRejected(verifierFor(issuer).verifyAccessToken(token), 'expired', token);
  });

  it('a token whose nbf is in the future', async () => {
    const token = await issuer.mint({}, { notBefore: 600 });
    await expectRejected(verifierFor(issuer).verifyAccessToken(token), 'not_yet_valid', token);
  });

  it('a token from an issuer not in the list', async () => {
    const token = await issuer.mint({ iss: 'https://evil.example.com' });
    await expectRejected(verifierFor(issuer).verifyAccessToken(token), 'issuer_mismatch', token);
    const missing = await issuer.mint({ iss: undefined });
    await expectRejected(verifierFor(issuer).verifyAccessToken(missing), 'issuer_mismatch');
  });

  it('a token whose payload was changed after signing', async () => {
    const token = await issuer.mint({ role: 'member' });
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const tampered = `${header}.${b64url(JSON.stringify({ ...claims, role: 'admin' }))}.${signature}`;
    await expectRejected(
      verifierFor(issuer).verifyAccessToken(tampered),
      'signature_invalid',
      tampered,
    );
  });

  it('a valid token from another key set that reuses the kid', async () => {
    const impostor = await createTestTokenIssuer({ issuer: issuer.issuer, kid: 'shared_kid' });
    try {
      const token = await impostor.mint({});
      await expect(verifierFor(impostor).verifyAccessToken(token)).resolves.toBeDefined();
      await expectRejected(
        verifierFor(issuer).verifyAccessToken(token),
        'signature_invalid',
        token,
      );
    } finally {
      await impostor.close();
    }
  });

  const header = b64url(JSON.stringify({ alg: 'RS256', kid: 'shared_kid' }));
  const payload = b64url(JSON.stringify({ sub: 'user_1', sid: 'session_1' }));
  const malformed: [string, unknown][] = [
    ['an empty string', ''],
    ['two segments', `${header}.${payload}`],
    ['four segments', `${header}.${payload}.sig.extra`],
    ['garbage base64', '%%%.***.!!!'],
    ['a header that is not JSON', `${b64url('not json')}.${payload}.c2ln`],
    ['a header that is JSON but not an object', `${b64url('[1]')}.${payload}.c2ln`],
    ['a non-string', undefined],
    ['a string far longer than any token', `${header}.${'a'.repeat(20_000)}.sig`],
  ];
  it.each(malformed)('%s as malformed', async (_name, token) => {
    await expectRejected(
      verifierFor(issuer).verifyAccessToken(token as string),
      'malformed',
      typeof token === 'string' ? token : undefined,
    );
  });

  it('before fetching the JWKS when the token is malformed', async () => {
    const fresh = await createTestTokenIssuer();
    try {
      await expectRejected(verifierFor(fresh).verifyAccessToken('a.b'), 'malformed');
      expect(fresh.fetchCount).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});
