import * as z from 'zod';
import { OrgkitError, parseInput } from '../../errors/index.js';
import {
  exactlyOneSource,
  type InputSource,
  inputSourceShape,
  peekBytes,
  readBytes,
} from './byte-source.js';
import { readClerkCsv } from './clerk-csv.js';
import { readClerkJson } from './clerk-json.js';
import { createDuplicateFilter } from './duplicates.js';
import type { ClerkExportEntry } from './types.js';

/** Options of {@link readClerkExport}: the file, and its format when not detected. */
export type ReadClerkExportOptions = InputSource & {
  /**
   * `csv` for the dashboard export, `json` for the Backend API / CLI export.
   * @default detected: a file whose first character (after a byte-order mark) is `[` or `{` is JSON
   */
  readonly format?: 'csv' | 'json';
};

const optionsSchema = z
  .strictObject({ ...inputSourceShape, format: z.enum(['csv', 'json']).optional() })
  .refine(exactlyOneSource, 'pass exactly one of path and content');

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;

async function* entries(
  source: InputSource,
  format: 'csv' | 'json' | undefined,
): AsyncGenerator<ClerkExportEntry> {
  const what = format === 'json' ? 'Clerk JSON export' : 'Clerk export';
  const { firstByte, bytes } = await peekBytes(readBytes(source, what));
  if (firstByte === undefined) {
    throw new OrgkitError('invalid_input', `${what}: the file is empty`, {
      reason: 'invalid_header',
    });
  }
  // A file opening with `{` is JSON too, so the error says "not an array", not "no header".
  const json =
    format === undefined
      ? firstByte === OPEN_BRACKET || firstByte === OPEN_BRACE
      : format === 'json';
  if (json && firstByte !== OPEN_BRACKET) {
    throw new OrgkitError('invalid_input', 'Clerk JSON export: expected a JSON array of users', {
      reason: 'invalid_header',
    });
  }
  const unique = createDuplicateFilter();
  for await (const entry of json ? readClerkJson(bytes) : readClerkCsv(bytes)) {
    yield unique(entry);
  }
}

/**
 * Reads a Clerk user export, streaming: the dashboard CSV (byte-order mark, quoted commas,
 * newlines and unicode, multi-value cells split by `|`, `,` or `;`, the TAB Clerk puts before
 * values starting with `=`, `+`, `-` or `@`) or the Backend API / CLI JSON array.
 *
 * Yields one entry per record in file order: `{ ok: true, record }` for a user to migrate, or
 * `{ ok: false, rejection }` naming the record number and why it is left out (no id, no or a
 * malformed email, a duplicate Clerk id or primary email of an earlier record, a row of the wrong
 * width). A bad record never ends the stream. The iteration throws `OrgkitError('invalid_input')`
 * only for the file as a whole: unreadable, empty, a missing CSV column (named), not a JSON
 * array, or broken so that the rest cannot be read (a quote or bracket never closed).
 *
 * Bad options throw `invalid_input` at once.
 *
 * @example
 * ```ts
 * import { readClerkExport } from 'orgkit/migrate';
 *
 * for await (const entry of readClerkExport({ path: 'clerk-users.csv' })) {
 *   if (!entry.ok) {
 *     console.warn(`record ${entry.rejection.recordNumber}: ${entry.rejection.reason}`);
 *     continue;
 *   }
 *   const { clerkUserId, primaryEmail, primaryEmailVerified, password } = entry.record;
 *   // create the WorkOS user…
 * }
 * ```
 */
export function readClerkExport(options: ReadClerkExportOptions): AsyncIterable<ClerkExportEntry> {
  const parsed = parseInput(optionsSchema, options, 'readClerkExport');
  return entries(parsed as InputSource, parsed.format);
}
