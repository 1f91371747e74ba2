import fc from 'fast-check';
import type { CsvStyle, UserModel } from './support.js';

// Every arbitrary is built once here: building one (stringMatching above all) inside a chain
// per sample made a run of 150 cost half a minute.

/** An address before its unique tag: a local part zod accepts (sometimes starting with - or +,
 * which Clerk guards with a TAB), a domain, and a mask of letters to upper-case. */
const emailParts = fc.record({
  local: fc.stringMatching(/^[-+a-z0-9_][a-z0-9_+-]{0,8}$/),
  domain: fc.constantFrom('example.com', 'example.org', 'mail.example.net'),
  upper: fc.nat(),
});
type EmailParts = typeof emailParts extends fc.Arbitrary<infer T> ? T : never;

function email({ local, domain, upper }: EmailParts, tag: string): string {
  const text = `${local}.${tag}@${domain}`;
  return [...text].map((c, i) => ((upper >> (i % 31)) & 1 ? c.toUpperCase() : c)).join('');
}

/** A name as people type them: any unicode, newlines and quotes included, never blank-edged. */
const name = fc.option(
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
    .filter((s) => s.trim() === s && s !== '' && !s.includes('\u0000')),
  { nil: undefined },
);
const phone = fc.stringMatching(/^\+[1-9][0-9]{6,11}$/);

const userShape = fc.record({
  idSuffix: fc.stringMatching(/^[A-Za-z0-9]{1,20}$/),
  firstName: name,
  lastName: name,
  username: fc.option(fc.stringMatching(/^[a-z0-9_.-]{1,12}$/), { nil: undefined }),
  primaryEmail: emailParts,
  primaryVerified: fc.boolean(),
  otherVerified: fc.array(emailParts, { maxLength: 2 }),
  otherUnverified: fc.array(emailParts, { maxLength: 2 }),
  primaryPhone: fc.option(phone, { nil: undefined }),
  otherPhones: fc.uniqueArray(phone, { maxLength: 2 }),
  password: fc.option(
    fc.record({
      hasher: fc.constantFrom('bcrypt', 'argon2id', 'scrypt_firebase', 'md5'),
      digest: fc.stringMatching(/^\$2b\$1[0-2]\$[./A-Za-z0-9]{53}$/),
    }),
    { nil: undefined },
  ),
  totp: fc.option(fc.stringMatching(/^[A-Z2-7]{16,32}$/), { nil: undefined }),
  publicMetadata: fc.option(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), {
    nil: undefined,
  }),
});

/** Valid users; ids and addresses are made unique by their position. */
export const users = (maxLength: number): fc.Arbitrary<UserModel[]> =>
  fc.array(userShape, { maxLength }).map((shapes) =>
    shapes.map(({ idSuffix, primaryEmail, otherVerified, otherUnverified, ...rest }, i) => ({
      ...rest,
      id: `user_${i}${idSuffix}`,
      primaryEmail: email(primaryEmail, `p${i}`),
      otherVerified: otherVerified.map((parts, j) => email(parts, `v${i}x${j}`)),
      otherUnverified: otherUnverified.map((parts, j) => email(parts, `u${i}x${j}`)),
    })),
  );

/** The ways the dashboard (or an editor after it) may write the same users. */
export const csvStyle: fc.Arbitrary<CsvStyle> = fc
  .record({
    bom: fc.boolean(),
    quoted: fc.boolean(),
    crlf: fc.boolean(),
    separators: fc.array(fc.constantFrom('|' as const, ',' as const, ';' as const), {
      minLength: 1,
    }),
    guards: fc.array(fc.boolean(), { minLength: 1 }),
  })
  .map(({ separators, guards, ...rest }) => ({
    ...rest,
    separator: (cell: number) => separators[cell % separators.length]!,
    guard: (value: number) => guards[value % guards.length]!,
  }));

/** Cut points splitting the file into chunks anywhere, inside UTF-8 sequences too. */
export const cuts = fc.array(fc.nat({ max: 100_000 }), { maxLength: 30 });
