import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { AccessReportEntry } from '../../access/index.js';
import { usageError } from '../usage-error.js';
import { actorSystem, actorUserId, flush, openOut, parseTime } from './audit-export.js';
import { type CommandIo, openAuditInstance } from './audit-shared.js';

/** Flags of `orgkit audit access-report`. */
export interface AuditAccessReportFlags {
  url?: string | undefined;
  subject?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  format?: string | undefined;
  out?: string | undefined;
  disclosures?: boolean | undefined;
}

const FORMATS = ['csv', 'jsonl', 'html'] as const;

/** One column per thing a patient or auditor asks: who, role, organization, when, what, why. */
const COLUMNS: { header: string; value(entry: AccessReportEntry): string | null }[] = [
  { header: 'occurred_at', value: (e) => e.occurredAt.toISOString() },
  { header: 'action', value: (e) => e.action },
  { header: 'outcome', value: (e) => e.outcome },
  { header: 'actor_user_id', value: (e) => actorUserId(e.actor) },
  { header: 'actor_system', value: (e) => actorSystem(e.actor) },
  { header: 'actor_role', value: (e) => e.actorRole },
  { header: 'organization_id', value: (e) => e.organizationId },
  { header: 'resource_type', value: (e) => e.resourceType },
  { header: 'resource_ids', value: (e) => e.resourceIds.join(' ') },
  { header: 'purpose', value: (e) => e.purpose },
  { header: 'emergency_access', value: (e) => e.emergencyAccessIds.join(' ') || null },
  { header: 'review_outcome', value: (e) => e.review?.outcome ?? null },
  { header: 'impersonator', value: (e) => e.impersonator?.email ?? null },
  { header: 'impersonation_reason', value: (e) => e.impersonator?.reason ?? null },
  { header: 'recipient', value: (e) => e.disclosure?.recipient ?? null },
  { header: 'description', value: (e) => e.disclosure?.description ?? null },
  { header: 'event_id', value: (e) => e.eventId },
];

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

async function* htmlDocument(subject: string, rows: AsyncIterable<AccessReportEntry>) {
  yield `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Access report: ${escapeHtml(subject)}</title>\n<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}tr.emergency{background:#fff3cd}tr.impersonated{background:#e7f1ff}</style></head>\n<body><h1>Access report: ${escapeHtml(subject)}</h1>\n<table><thead><tr>${COLUMNS.map((c) => `<th>${c.header}</th>`).join('')}</tr></thead><tbody>\n`;
  for await (const entry of rows) {
    const marks = [
      entry.emergencyAccessIds.length > 0 ? 'emergency' : '',
      entry.impersonator ? 'impersonated' : '',
    ]
      .filter(Boolean)
      .join(' ');
    yield `<tr${marks ? ` class="${marks}"` : ''}>${COLUMNS.map((c) => `<td>${escapeHtml(c.value(entry) ?? '')}</td>`).join('')}</tr>\n`;
  }
  yield '</tbody></table></body></html>\n';
}

/**
 * `orgkit audit access-report --subject ID [--from ISO] [--to ISO] --format csv|jsonl|html
 * [--disclosures] [--out FILE]`: everything recorded about one person (or only the disclosures),
 * oldest first, streamed at the pace the output takes it. The read itself is recorded.
 */
export async function auditAccessReportCommand(
  flags: AuditAccessReportFlags,
  io: CommandIo,
): Promise<number> {
  const subject = flags.subject?.trim();
  if (!subject) throw usageError("--subject: required (the person's id, e.g. a WorkOS user id)");
  const format = flags.format;
  if (!FORMATS.includes(format as (typeof FORMATS)[number])) {
    throw usageError(
      `--format: ${format === undefined ? 'required' : `"${format}" is not a format`}; use csv, jsonl or html`,
    );
  }
  const from = parseTime('--from', flags.from);
  const to = parseTime('--to', flags.to);
  if (from && to && from >= to) throw usageError('--from: must be before --to');

  const instance = await openAuditInstance(flags.url);
  try {
    const query = { subjectId: subject, from, to };
    const report = flags.disclosures
      ? instance.orgkit.exportDisclosures(query)
      : instance.orgkit.accessReport(query);
    let lines = 0;
    async function* counted() {
      for await (const entry of report) {
        lines += 1;
        yield entry;
      }
    }
    const destination = flags.out === undefined ? process.stdout : await openOut(flags.out);
    const end = destination !== process.stdout;
    try {
      if (format === 'csv') {
        const rows = Readable.from(
          (async function* () {
            for await (const e of counted()) yield COLUMNS.map((c) => c.value(e));
          })(),
        );
        const csv = stringify({
          header: true,
          columns: COLUMNS.map((c) => c.header),
          escape_formulas: true,
        });
        await pipeline(rows, csv, destination, { end });
      } else if (format === 'html') {
        await pipeline(Readable.from(htmlDocument(subject, counted())), destination, { end });
      } else {
        const json = Readable.from(
          (async function* () {
            for await (const e of counted()) yield `${JSON.stringify(e)}\n`;
          })(),
        );
        await pipeline(json, destination, { end });
      }
      if (!end) await flush(destination);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 0;
      throw error;
    }
    if (flags.out !== undefined) {
      io.out(`${instance.location}: ${lines} line(s) about ${subject} written to ${flags.out}`);
    }
    return 0;
  } finally {
    await instance.close();
  }
}
