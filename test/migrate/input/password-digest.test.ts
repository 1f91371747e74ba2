import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyPasswordDigest } from '../../../src/migrate/index.js';
import { SecretValue } from '../../../src/migrate/input/secret-value.js';
import { BCRYPT_DIGEST } from './support.js';

const SALT_AND_HASH = BCRYPT_DIGEST.slice(7);

describe('classifyPasswordDigest', () => {
  it.each(['$2a$', '$2b$', '$2y$'])('imports a %s bcrypt digest unchanged', (prefix) => {
    const digest = `${prefix}12$${SALT_AND_HASH}`;
    expect(classifyPasswordDigest({ hasher: 'bcrypt', digest })).toEqual({
      importable: true,
      passwordHash: digest,
      passwordHashType: 'bcrypt',
    });
    expect(
      classifyPasswordDigest({ hasher: ' BCrypt ', digest: new SecretValue(` ${digest}\n`) }),
    ).toEqual({
      importable: true,
      passwordHash: digest,
      passwordHashType: 'bcrypt',
    });
  });

  it.each([
    ['an unknown version', `$2x$10$${SALT_AND_HASH}`],
    ['the old $2$ version', `$2$10$${SALT_AND_HASH}`],
    ['a cost below 4', `$2b$03$${SALT_AND_HASH}`],
    ['a cost above 31', `$2b$32$${SALT_AND_HASH}`],
    ['a one-digit cost', `$2b$9$${SALT_AND_HASH}`],
    ['a short hash', `$2b$10$${SALT_AND_HASH.slice(1)}`],
    ['a long hash', `$2b$10$${SALT_AND_HASH}A`],
    ['a character outside the alphabet', `$2b$10$${SALT_AND_HASH.slice(1)}+`],
    [
      'an argon2 digest',
      '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A',
    ],
  ])('refuses a bcrypt digest with %s', (_, digest) => {
    expect(classifyPasswordDigest({ hasher: 'bcrypt', digest })).toEqual({
      importable: false,
      code: 'malformed_digest',
      reason: 'the bcrypt digest is not in $2a$/$2b$/$2y$ modular crypt form',
    });
  });

  it.each([
    ['argon2i', 'argon2', '$argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNo'],
    ['argon2id', 'argon2', '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNo'],
    ['scrypt_firebase', 'firebase-scrypt', 'aGFzaA==$c2FsdA==$c2lnbmVy$Bw==$8$14'],
    ['scrypt_werkzeug', 'scrypt', 'scrypt:32768:8:1$salt$abcdef'],
    ['pbkdf2_sha256', 'pbkdf2', 'pbkdf2_sha256$600000$c2FsdA==$aGFzaA=='],
    ['pbkdf2_sha256_django', 'pbkdf2', 'pbkdf2_sha256$600000$salt$aGFzaA=='],
    ['pbkdf2_sha1', 'pbkdf2', 'pbkdf2_sha1$10000$salt$abcdef'],
    ['ldap_ssha', 'ssha', '{SSHA}aGFzaGFuZHNhbHQ='],
  ])('does not send %s under an unverified conversion', (hasher, workosType, digest) => {
    const result = classifyPasswordDigest({ hasher, digest });
    expect(result).toMatchObject({ importable: false, code: 'unverified_conversion' });
    expect(!result.importable && result.reason).toBe(
      `WorkOS's "${workosType}" hash type has no documented digest layout that Clerk's "${hasher}" digest can be verified to convert to`,
    );
  });

  it.each([
    'md5',
    'sha256',
    'phpass',
    'md5_phpass',
    'bcrypt_sha256_django',
    'bcrypt_peppered',
    'sha512_symfony',
    'awscognito',
  ])('reports %s as a hasher WorkOS cannot import', (hasher) => {
    expect(classifyPasswordDigest({ hasher, digest: '5f4dcc3b5aa765d61d8327deb882cf99' })).toEqual({
      importable: false,
      code: 'unsupported_hasher',
      reason: `WorkOS has no password hash type for Clerk's "${hasher}" digests`,
    });
  });

  it('names no hasher it does not know, since the column may hold anything', () => {
    expect(classifyPasswordDigest({ hasher: BCRYPT_DIGEST, digest: 'x' })).toEqual({
      importable: false,
      code: 'unsupported_hasher',
      reason: 'the password_hasher is not one Clerk names, and WorkOS has no hash type for it',
    });
  });

  it('needs a digest and a hasher', () => {
    expect(classifyPasswordDigest({ hasher: 'bcrypt', digest: '  ' })).toMatchObject({
      code: 'missing_digest',
    });
    expect(classifyPasswordDigest({ digest: BCRYPT_DIGEST })).toMatchObject({
      code: 'missing_hasher',
    });
    expect(classifyPasswordDigest({ hasher: '', digest: BCRYPT_DIGEST })).toMatchObject({
      code: 'missing_hasher',
    });
  });

  it('imports only well-formed bcrypt, and no reason ever holds the digest', () => {
    const hasher = fc.oneof(
      fc.constantFrom('bcrypt', 'BCRYPT', 'argon2id', 'scrypt_firebase', 'md5', 'ldap_ssha', ''),
      fc.string(),
    );
    const digest = fc.oneof(
      fc.stringMatching(/^\$2[abxy]\$\d{1,2}\$[./A-Za-z0-9+]{50,56}$/),
      fc.string({ minLength: 8 }),
    );
    fc.assert(
      fc.property(hasher, digest, (h, d) => {
        const result = classifyPasswordDigest({ hasher: h, digest: d });
        const bcrypt =
          h.trim().toLowerCase() === 'bcrypt' &&
          /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/.test(d.trim());
        expect(result.importable).toBe(bcrypt);
        if (!result.importable && d.trim().length >= 8)
          expect(result.reason).not.toContain(d.trim());
      }),
      { numRuns: Number(process.env.ORGKIT_PROPERTY_RUNS ?? 300) },
    );
  });

  it('refuses input that is not a hasher and a digest', () => {
    for (const bad of [
      {},
      { digest: 5 },
      { hasher: 1, digest: 'x' },
      { digest: 'x', extra: true },
      null,
    ]) {
      expect(() => classifyPasswordDigest(bad as never)).toThrowError(
        expect.objectContaining({
          code: 'invalid_input',
          message: expect.stringContaining('classifyPasswordDigest'),
        }),
      );
    }
  });
});
