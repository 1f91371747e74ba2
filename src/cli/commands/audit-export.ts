import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { AuditActor, AuditEvent } from '../../audit/index.js';
import { OrgkitError } from '../../errors/index.js';
import { usageError } from '../usage-error.js';
import { type CommandIo, openAuditInstance, organizationOf } from './audit-shared.js';

/** Flags of `orgkit audit export`. */
export interface AuditExportFlags {
  url?: string | undefined;
  org?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  format?: string | undefined;
  out?: string | undefined;
}

const FORMATS = ['jsonl', 'csv'] as const;

// An ISO 8601 date (midnight UTC) or date-time with a zone: what an auditor's request names.
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** `--from` / `--to` as a time, or a usage error naming the flag. @internal */
export function parseTime(flag: '--from' | '--to', value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date =
    ISO_TIME.test(value) && isCalendarDate(value.slice(0, 10))
      ? new Date(value.length === 10 ? `${value}T00:00:00Z` : value)
      : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw usageError(
      `${flag}: "${value}" is not an ISO 8601 date (2025-01-31) or date-time with a zone (2025-01-31T09:00:00Z)`,
    );
  }
  return date;
}

// `new Date('2025-02-30')` is 2 March: a day that does not exist must be refused, not moved.
function isCalendarDate(day: string): boolean {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const utc = new Date(Date.UTC(year, month - 1, date));
  return utc.getUTCMonth() === month - 1 && utc.getUTCDate() === date;
}

/** The actor's user id, or `null` for a system actor (a CSV cell). @internal */
export const actorUserId = (actor: AuditActor | null) =>
  actor && 'userId' in actor ? actor.userId : null;
/** The system actor's name, or `null` for a user (a CSV cell). @internal */
export const actorSystem = (actor: AuditActor | null) =>
  actor && 'system' in actor ? actor.system : null;

/** One CSV column per stored field; changes and metadata as JSON text. */
const CSV_COLUMNS: { header: string; value(event: AuditEvent): unknown }[] = [
  { header: 'id', value: (e) => e.id },
  { header: 'organization_id', value: (e) => e.organizationId },
  { header: 'seq', value: (e) => e.seq },
  { header: 'occurred_at', value: (e) => e.occurredAt.toISOString() },
  { header: 'action', value: (e) => e.action },
  { header: 'outcome', value: (e) => e.outcome },
  { header: 'actor_user_id', value: (e) => actorUserId(e.actor) },
  { header: 'actor_system', value: (e) => actorSystem(e.actor) },
  { header: 'resource_type', value: (e) => e.resourceType },
  { header: 'resource_id', value: (e) => e.resourceId },
  { header: 'ip_address', value: (e) => e.ipAddress },
  { header: 'user_agent', value: (e) => e.userAgent },
  { header: 'request_id', value: (e) => e.requestId },
  { header: 'old_values', value: (e) => json(e.changes.oldValues) },
  { header: 'new_values', value: (e) => json(e.changes.newValues) },
  { header: 'metadata', value: (e) => json(e.metadata) },
  { header: 'prev_hash', value: (e) => e.prevHash },
  { header: 'hash', value: (e) => e.hash },
];

const json = (value: unknown) => (value === null ? null : JSON.stringify(value));

/**
 * `orgkit audit export --org ID|none [--from ISO] [--to ISO] --format jsonl|csv [--out FILE]`:
 * streams one organization's events, oldest first, a page at a time from the database and at
 * the pace the output takes them (pipeline backpressure), so a report of any size runs in
 * constant memory. CSV cells that a spreadsheet would run as a formula are prefixed with `'`.
 */
export async function auditExportCommand(flags: AuditExportFlags, io: CommandIo): Promise<number> {
  if (flags.org === undefined) throw usageError('--org: required (an organization id, or "none")');
  const organizationId = organizationOf(flags.org);
  const format = flags.format;
  if (!FORMATS.includes(format as (typeof FORMATS)[number])) {
    throw usageError(
      `--format: ${format === undefined ? 'required' : `"${format}" is not a format`}; use jsonl or csv`,
    );
  }
  const from = parseTime('--from', flags.from);
  const to = parseTime('--to', flags.to);
  if (from && to && from >= to) throw usageError('--from: must be before --to');

  const instance = await openAuditInstance(flags.url);
  try {
    const events = instance.orgkit.exportAuditEvents({ organizationId, from, to });
    let exported = 0;
    async function* records<T>(toRecord: (event: AuditEvent) => T) {
      for await (const event of events) {
        exported += 1;
        yield toRecord(event);
      }
    }
    const destination = flags.out === undefined ? process.stdout : await openOut(flags.out);
    const end = destination !== process.stdout;
    try {
      if (format === 'csv') {
        const rows = Readable.from(records((e) => CSV_COLUMNS.map((c) => c.value(e))));
        const csv = stringify({
          header: true,
          columns: CSV_COLUMNS.map((c) => c.header),
          escape_formulas: true,
        });
        await pipeline(rows, csv, destination, { end });
      } else {
        const lines = Readable.from(records((e) => `${JSON.stringify(e)}\n`));
        await pipeline(lines, destination, { end });
      }
      if (!end) await flush(destination);
    } catch (error) {
      // A reader that stops early (`| head`) is not a failure of the export.
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 0;
      throw error;
    }
    if (flags.out !== undefined) {
      io.out(`${instance.location}: ${exported} event(s) written to ${flags.out}`);
    }
    return 0;
  } finally {
    await instance.close();
  }
}

/** A file opened for writing, or `invalid_input` naming `--out`. @internal */
export async function openOut(path: string): Promise<Writable> {
  const stream = createWriteStream(path);
  try {
    await once(stream, 'open');
    return stream;
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new OrgkitError('invalid_input', `--out: cannot create ${path} (${reason})`, { cause });
  }
}

// process.stdout may write asynchronously (pipes on macOS): the process must not exit first.
export function flush(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) =>
    stream.write('', (error) => (error ? reject(error) : resolve())),
  );
}
