/** A bcrypt digest in modular crypt form (not a real password's; WorkOS only stores it). */
const bcrypt = (i: number) =>
  `$2b$10$${'abcdefghijklmnopqrstuv'}${String(i)
    .padStart(31, 'A')
    .replace(/[^./A-Za-z0-9]/g, 'A')}`;
const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DP';

/**
 * The `i`-th user of a generated export, the same in the CSV and the JSON generators: verified
 * and unverified addresses, bcrypt and non-importable digests, TOTP secrets, missing and unicode
 * names. `model` is what goes into the export, `expected` how WorkOS must come out.
 */
export function generatedUser(i: number, idPrefix: string, unicodeFirstName = `Zoë ${i}`) {
  const id = `${idPrefix}${String(i).padStart(5, '0')}`;
  const email = `Person.${i}@Example.com`;
  const verified = i % 3 !== 0;
  const hasher =
    i % 5 === 0 ? 'argon2id' : i % 7 === 0 ? 'md5' : i % 2 === 0 ? 'bcrypt' : undefined;
  const digest = hasher === 'bcrypt' ? bcrypt(i) : hasher ? `digest-${i}-not-bcrypt` : undefined;
  const firstName = i % 11 === 0 ? undefined : i % 4 === 0 ? unicodeFirstName : `First${i}`;
  const lastName = i % 13 === 0 ? undefined : `Last, ${i}`;
  const totp = i % 6 === 1;
  const names = { ...(firstName ? { firstName } : {}), ...(lastName ? { lastName } : {}) };
  return {
    model: {
      id,
      ...names,
      primaryEmail: email,
      primaryVerified: verified,
      otherVerified: i % 9 === 0 ? [`alt.${i}@example.org`] : [],
      otherPhones: [] as string[],
      ...(hasher && digest ? { password: { hasher, digest } } : {}),
      ...(totp ? { totp: TOTP } : {}),
    },
    expected: {
      clerkUserId: id,
      email: email.toLowerCase(),
      verified,
      ...names,
      ...(hasher === 'bcrypt' ? { passwordHash: digest } : {}),
      passwordNotImported: hasher !== undefined && hasher !== 'bcrypt',
      totp,
    },
  };
}
