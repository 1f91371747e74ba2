import { getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { rowsOf } from '../../src/db/database.js';
import type { OrgkitTables } from '../../src/db/tables.js';
import type { TestDatabase } from '../../src/testing/database.js';

/** Runs per property; raise with ORGKIT_HARDENING_RUNS for a longer hunt. */
export const HARDENING_RUNS = Number(process.env.ORGKIT_HARDENING_RUNS ?? 25);

const HUGE = 100_000;

/** Strings a hostile caller sends: huge, odd unicode, control characters, SQL and JSON syntax. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u0000user_admin',
    'user_admin\u0000',
    '\r\n\t\b\f\v',
    '\u001b[31mred\u001b[0m',
    '\ud800',
    'a\udfffb',
    '\u202eevil\u202c',
    '\ufeff',
    '👩‍⚕️'.repeat(50),
    'ｕｓｅｒ＿ａｄｍｉｎ',
    "'; DROP TABLE users; --",
    "' OR '1'='1",
    '"); SELECT pg_sleep(10); --',
    '$1',
    '%',
    '_',
    '\\',
    '{"$where": 1}',
    '{"__proto__": {"polluted": true}}',
    '[]',
    'null',
    '__proto__',
    'constructor',
    'prototype',
    'x'.repeat(HUGE),
    `${'a'.repeat(HUGE)}@example.com`,
    '\u0000'.repeat(HUGE),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
    maxLength: 20,
  }),
  fc.string({ minLength: 300, maxLength: 2_000 }),
);

/** Objects whose `__proto__`, `constructor` or `prototype` is an own key, as JSON.parse makes them. */
export const pollutingObject = fc
  .constantFrom(
    '{"__proto__": {"polluted": true}}',
    '{"__proto__": {"actor": {"system": "x"}, "organizationId": "org_a"}}',
    '{"constructor": {"prototype": {"polluted": true}}}',
    '{"prototype": {"polluted": true}}',
    '{"__proto__": null}',
    '{"a": {"__proto__": {"polluted": true}}}',
  )
  .map((text) => JSON.parse(text) as unknown);

/** Values of the wrong type, size or content for any argument. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      undefined,
      null,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -1,
      0,
      2 ** 64,
      1.5,
      true,
      false,
      [],
      {},
      () => 1,
      Symbol('s'),
      10n,
      new Date(Number.NaN),
      new Date(0),
      /x/,
      new Map(),
      Promise.resolve(1),
      Array.from({ length: 10_000 }, () => 'x'),
    ),
  },
  { weight: 2, arbitrary: pollutingObject },
  { weight: 1, arbitrary: fc.object({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileString, { minLength: 1, maxLength: 3 }) },
);

/**
 * A bad argument for a slot whose valid value is `valid`: a hostile value in its place, or,
 * for an object, the object with one key replaced by (or added as) a hostile value.
 */
export function badFor(valid: unknown): fc.Arbitrary<unknown> {
  if (valid === null || typeof valid !== 'object' || Array.isArray(valid)) return hostile;
  const keys = [...Object.keys(valid), '__proto__', 'constructor', 'extra'];
  return fc.oneof(
    hostile,
    fc.tuple(fc.constantFrom(...keys), hostile).map(([key, value]) => {
      const copy: Record<string, unknown> = { ...(valid as Record<string, unknown>) };
      Object.defineProperty(copy, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return copy;
    }),
  );
}

/** Short description of a generated value for failure messages (huge strings abbreviated). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return value.length > 80 ? `string(${value.length})` : JSON.stringify(value);
  if (typeof value === 'function') return 'function';
  if (typeof value === 'symbol' || typeof value === 'bigint') return String(value);
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 120 ? `${text.slice(0, 120)}…` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Row count and a hash of the content of every orgkit table: "nothing changed" in one query. */
export async function snapshotTables(
  db: TestDatabase['db'],
  tables: OrgkitTables,
): Promise<Record<string, string>> {
  const names = Object.values(tables)
    .filter((table) => is(table, PgTable))
    .map((table) => getTableName(table as PgTable))
    .sort();
  const parts = names.map(
    (name) =>
      sql`SELECT ${name}::text AS name, count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS state FROM ${sql.identifier(name)} t`,
  );
  const rows = rowsOf<{ name: string; state: string }>(
    await db.execute(sql.join(parts, sql` UNION ALL `)),
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.state]));
}
