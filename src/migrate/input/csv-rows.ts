import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { OrgkitError } from '../../errors/index.js';

/** A data row by column name, or the reason it has no usable shape. @internal */
export type CsvRow =
  | { readonly ok: true; readonly recordNumber: number; readonly get: (column: string) => string }
  | {
      readonly ok: false;
      readonly recordNumber: number;
      /** The row's first field, to name the record when it is a well-formed id. */
      readonly firstField: string | undefined;
      readonly reason: string;
    };

// A Clerk row is a few hundred bytes; a record this large means a quote that never closes.
const MAX_RECORD_BYTES = 1024 * 1024;

function checkHeader(
  what: string,
  header: string[],
  required: readonly string[],
): Map<string, number> {
  const columns = new Map<string, number>();
  header.forEach((name, index) => {
    const column = name.trim().toLowerCase();
    if (columns.has(column)) {
      throw new OrgkitError('invalid_input', `${what}: the column "${column}" appears twice`, {
        reason: 'invalid_header',
        details: { column },
      });
    }
    columns.set(column, index);
  });
  const missing = required.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    const list = missing.map((c) => `"${c}"`).join(', ');
    throw new OrgkitError(
      'invalid_input',
      `${what}: missing required column${missing.length > 1 ? 's' : ''} ${list}`,
      { reason: 'invalid_header', details: { missing } },
    );
  }
  return columns;
}

/**
 * Streams a CSV file through csv-parse: byte-order mark, quoted commas, newlines and unicode,
 * CRLF. The first record is the header and must name every required column (others are kept
 * and ignored). A row with the wrong number of fields comes back as a problem and reading goes
 * on; only a quote that never closes (which swallows the rest of the file) is thrown, after the
 * rows before it.
 * @internal
 */
export async function* readCsvRows(
  bytes: AsyncIterable<Uint8Array>,
  what: string,
  required: readonly string[],
): AsyncGenerator<CsvRow> {
  // csv-parse throws such an error by destroying its stream, which drops the rows it parsed but
  // not yet handed over; skipping keeps them, and everything after the error is left unread.
  let broken: { readonly records: number; readonly code: string | undefined } | undefined;
  const parser = parse({
    bom: true,
    info: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
    skip_records_with_error: true,
    on_skip: (error) => {
      const records = error?.records;
      broken ??= { records: typeof records === 'number' ? records : 0, code: error?.code };
    },
  });
  const input = Readable.from(bytes);
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);

  let columns: Map<string, number> | undefined;
  let recordNumber = 0;
  let lastLine = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number; records: number };
    }>) {
      // Records are counted with the header; those after a broken one are not trusted.
      if (broken !== undefined && info.records > broken.records) break;
      lastLine = info.lines;
      if (columns === undefined) {
        columns = checkHeader(what, record, required);
        continue;
      }
      recordNumber++;
      if (record.length !== columns.size) {
        yield {
          ok: false,
          recordNumber,
          firstField: record[0],
          reason: `has ${record.length} fields where the header has ${columns.size}`,
        };
        continue;
      }
      const fields = record;
      const index = columns;
      yield { ok: true, recordNumber, get: (column) => fields[index.get(column) ?? -1] ?? '' };
    }
  } finally {
    input.destroy();
  }
  if (broken !== undefined) {
    // csv-parse's message quotes input characters; ours names only positions.
    const problem =
      broken.code === 'CSV_QUOTE_NOT_CLOSED' || broken.code === 'CSV_MAX_RECORD_SIZE'
        ? 'opens a quoted field that never closes'
        : 'is not valid CSV';
    const at = columns === undefined ? 'the header row' : `record ${recordNumber + 1}`;
    throw new OrgkitError(
      'invalid_input',
      `${what}: ${at} (after line ${lastLine}) ${problem}, so the rest of the file cannot be read`,
      {
        reason: 'unreadable_input',
        details: { recordNumber: recordNumber + 1, line: lastLine + 1 },
      },
    );
  }
  if (columns === undefined) {
    throw new OrgkitError('invalid_input', `${what}: the file is empty (no header row)`, {
      reason: 'invalid_header',
    });
  }
}
