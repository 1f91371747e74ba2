import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLERK_CSV_COLUMNS,
  type ClerkRejectionCode,
  readClerkExport,
} from '../../../src/migrate/index.js';
import { csvStyle, cuts, users } from './arbitraries.js';
import {
  chunked,
  clerkCsvRow,
  clerkJsonUser,
  collect,
  expectedRecord,
  revealed,
  type UserModel,
  writeCsv,
} from './support.js';

const RUNS = Number(process.env.ORGKIT_PROPERTY_RUNS ?? 150);

describe('readClerkExport, properties', () => {
  it('any valid users written as a dashboard CSV read back as the same records', async () => {
    await fc.assert(
      fc.asyncProperty(users(12), csvStyle, cuts, async (models, style, cutAt) => {
        const csv = writeCsv(
          models.map((m, i) => clerkCsvRow(m, style, i)),
          style,
        );
        const entries = await collect(readClerkExport({ content: chunked(csv, cutAt) }));
        expect(entries.map((e) => (e.ok ? revealed(e.record) : e.rejection))).toEqual(
          models.map((m, i) => expectedRecord(m, i + 1, 'csv')),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('any valid users written as the JSON export read back as the same records', async () => {
    await fc.assert(
      fc.asyncProperty(users(12), fc.boolean(), cuts, async (models, pretty, cutAt) => {
        const json = JSON.stringify(models.map(clerkJsonUser), null, pretty ? 2 : undefined);
        const entries = await collect(readClerkExport({ content: chunked(json, cutAt) }));
        expect(entries.map((e) => (e.ok ? revealed(e.record) : e.rejection))).toEqual(
          models.map((m, i) => expectedRecord(m, i + 1, 'json')),
        );
      }),
      { numRuns: RUNS },
    );
  });

  type Bad =
    | 'missing_id'
    | 'invalid_id'
    | 'invalid_email'
    | 'short_row'
    | 'long_row'
    | 'duplicate_id'
    | 'duplicate_email';
  const BAD_KINDS: Bad[] = [
    'missing_id',
    'invalid_id',
    'invalid_email',
    'short_row',
    'long_row',
    'duplicate_id',
    'duplicate_email',
  ];
  const CODE: Record<Bad, ClerkRejectionCode> = {
    missing_id: 'missing_id',
    invalid_id: 'invalid_id',
    invalid_email: 'invalid_email',
    short_row: 'malformed_row',
    long_row: 'malformed_row',
    duplicate_id: 'duplicate_id',
    duplicate_email: 'duplicate_email',
  };

  it('malformed rows anywhere never end the stream and are reported with their record number', async () => {
    const badRows = fc.array(
      fc.record({
        at: fc.nat({ max: 20 }),
        kind: fc.constantFrom(...BAD_KINDS),
        width: fc.integer({ min: 1, max: 12 }),
      }),
      { minLength: 1, maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(users(8), badRows, csvStyle, cuts, async (models, bad, style, cutAt) => {
        const rows: string[][] = [];
        const expected: ({ ok: true; id: string } | { ok: false; code: ClerkRejectionCode })[] = [];
        const accepted: UserModel[] = [];
        const queue = [...bad].sort((a, b) => a.at - b.at);
        const addBad = (kind: Bad, width: number, n: number) => {
          const target = accepted[n % Math.max(accepted.length, 1)];
          const filler = {
            id: `user_bad${n}`,
            primaryEmail: `bad${n}@example.com`,
            primaryVerified: true,
            otherVerified: [],
            otherUnverified: [],
            otherPhones: [],
          };
          let effective: Bad = kind;
          if ((kind === 'duplicate_id' || kind === 'duplicate_email') && target === undefined)
            effective = 'missing_id';
          const row = clerkCsvRow(
            effective === 'duplicate_id'
              ? { ...filler, id: target!.id }
              : effective === 'duplicate_email'
                ? { ...filler, primaryEmail: ` ${target!.primaryEmail.toUpperCase()}` }
                : effective === 'invalid_email'
                  ? { ...filler, primaryEmail: `bad${n}.example.com` }
                  : effective === 'invalid_id'
                    ? { ...filler, id: `user ${n}` }
                    : filler,
            style,
            n,
          );
          if (effective === 'missing_id') row[0] = '';
          const written =
            effective === 'short_row'
              ? row.slice(0, width % CLERK_CSV_COLUMNS.length)
              : effective === 'long_row'
                ? [...row, ...Array.from({ length: width }, () => 'x')]
                : row;
          // A single field holding nothing is a blank line, which the CSV skips.
          rows.push(written.length === 1 && written[0] === '' ? ['', ''] : written);
          expected.push({ ok: false, code: CODE[effective] });
        };
        models.forEach((model, i) => {
          while (queue[0] !== undefined && queue[0].at <= i)
            addBad(queue[0].kind, queue.shift()!.width, rows.length);
          rows.push(clerkCsvRow(model, style, rows.length));
          expected.push({ ok: true, id: model.id });
          accepted.push(model);
        });
        while (queue[0] !== undefined) addBad(queue[0].kind, queue.shift()!.width, rows.length);

        const entries = await collect(
          readClerkExport({ content: chunked(writeCsv(rows, style), cutAt) }),
        );
        expect(
          entries.map((e) =>
            e.ok
              ? { n: e.record.recordNumber, ok: true, id: e.record.clerkUserId }
              : { n: e.rejection.recordNumber, ok: false, code: e.rejection.code },
          ),
        ).toEqual(expected.map((e, i) => ({ n: i + 1, ...e })));
      }),
      { numRuns: RUNS },
    );
  });
});
