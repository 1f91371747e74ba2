import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod';
import { OrgkitError } from '../../errors/index.js';
import { readClerkExport } from '../input/read-export.js';
import type { ClerkUserRecord } from '../input/types.js';
import { WORKOS_METADATA_FIELDS } from '../run/field-accounting.js';
import { ORGANIZATION_MODES } from '../run/options.js';
import type { PlannedWrites } from '../run/plan-writes.js';
import { writeFileAtomically } from '../run/run-files.js';
import type { MigrationRecordOutcome, MigrationSummary } from '../run/types.js';

/** What a plan is bound to and runs with: its first line. @internal */
const headerSchema = z.strictObject({
  t: z.literal('plan'),
  version: z.literal(1),
  inputHash: z.string(),
  mappingHash: z.string().nullable(),
  environment: z.strictObject({ apiHost: z.string(), clientId: z.string() }),
  organizations: z.enum(ORGANIZATION_MODES),
  createRoles: z.boolean(),
  skipMfa: z.boolean(),
  workosMetadata: z.array(z.enum(WORKOS_METADATA_FIELDS)),
  /** Roles the run creates before anything else. */
  roles: z.array(z.string()),
  /** WorkOS writes the plan makes, roles included. */
  writes: z.number().int(),
  includesPii: z.boolean(),
  createdAt: z.string(),
});

export type PlanHeader = z.output<typeof headerSchema>;

const recordSchema = z.strictObject({
  n: z.number().int(),
  clerkUserId: z.string().optional(),
  /** `create` / `match` (the WorkOS user), `skip` (not migrated, with `skip`), `done` (an earlier run did it). */
  status: z.enum(['create', 'match', 'skip', 'done']),
  actions: z.array(z.string()),
  /** Field → where it goes (`workos`, `workos_metadata`, `database`) or `not_imported:<code>`. */
  fields: z.record(z.string(), z.string()),
  skip: z.strictObject({ code: z.string(), reason: z.string() }).optional(),
  /** Only with `--plan-include-pii`. */
  pii: z
    .strictObject({
      email: z.string(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      username: z.string().optional(),
    })
    .optional(),
});

export type PlanRecord = z.output<typeof recordSchema>;

function planLine(
  outcome: MigrationRecordOutcome,
  record: ClerkUserRecord | undefined,
): PlanRecord {
  const base = {
    n: outcome.recordNumber,
    ...(outcome.clerkUserId ? { clerkUserId: outcome.clerkUserId } : {}),
  };
  if (outcome.status === 'skipped' || outcome.status === 'failed') {
    return {
      ...base,
      status: outcome.status === 'skipped' && outcome.code === 'already_migrated' ? 'done' : 'skip',
      actions: [],
      fields: {},
      skip: { code: outcome.code, reason: outcome.reason },
    };
  }
  const fields = Object.fromEntries(
    outcome.fields.map((f) => [
      f.field,
      [...f.places, ...(f.notImported ? [`not_imported:${f.notImported.code}`] : [])].join(','),
    ]),
  );
  return {
    ...base,
    status: outcome.status === 'created' ? 'create' : 'match',
    actions: [...outcome.actions],
    fields,
    ...(record
      ? {
          pii: {
            email: record.primaryEmail,
            ...(record.firstName ? { firstName: record.firstName } : {}),
            ...(record.lastName ? { lastName: record.lastName } : {}),
            ...(record.username ? { username: record.username } : {}),
          },
        }
      : {}),
  };
}

/**
 * Writes the plan: a header line, then one line per record of the input in order (record
 * number, Clerk id, the actions, each field and where it goes, or why the record is skipped).
 * No email, name or secret unless `includePii`. Mode 0600, written whole or not at all. @internal
 */
export async function writePlanFile(
  path: string,
  header: Omit<PlanHeader, 't' | 'version' | 'createdAt' | 'writes' | 'roles' | 'includesPii'>,
  outcomes: readonly MigrationRecordOutcome[],
  summary: MigrationSummary,
  pii: { input: string; format?: 'csv' | 'json' } | undefined,
): Promise<void> {
  const records = new Map<number, ClerkUserRecord>();
  if (pii) {
    for await (const entry of readClerkExport({
      path: pii.input,
      ...(pii.format ? { format: pii.format } : {}),
    })) {
      if (entry.ok) records.set(entry.record.recordNumber, entry.record);
    }
  }
  const head: PlanHeader = {
    t: 'plan',
    version: 1,
    ...header,
    roles: [...summary.createdRoles],
    writes: summary.writes,
    includesPii: pii !== undefined,
    createdAt: new Date().toISOString(),
  };
  const lines = [...outcomes]
    .sort((a, b) => a.recordNumber - b.recordNumber)
    .map((o) => JSON.stringify(planLine(o, records.get(o.recordNumber))));
  await writeFileAtomically(
    dirname(path),
    path,
    `${[JSON.stringify(head), ...lines].join('\n')}\n`,
  );
}

/** A plan file read back: its header, its records and the writes it allows. @internal */
export async function readPlanFile(
  path: string,
): Promise<{ header: PlanHeader; records: PlanRecord[]; planned: PlannedWrites }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new OrgkitError('invalid_input', `migration plan ${path}: cannot be read`, {
      reason: 'invalid_plan',
    });
  }
  const [first, ...rest] = text.split('\n').filter((l) => l !== '');
  const parse = <T>(schema: z.ZodType<T>, line: string | undefined, index: number): T => {
    let value: unknown;
    try {
      value = JSON.parse(line ?? '');
    } catch {
      value = undefined;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new OrgkitError(
        'invalid_input',
        `migration plan ${path}: line ${index + 1} is not a plan line; make the plan again with --plan`,
        { reason: 'invalid_plan', details: { line: index + 1 } },
      );
    }
    return parsed.data;
  };
  const header = parse(headerSchema, first, 0);
  const records = rest.map((line, i) => parse(recordSchema, line, i + 1));
  const byRecord = new Map<string, Set<string>>();
  const organizations = new Set<string>();
  for (const r of records) {
    if (!r.clerkUserId || (r.status !== 'create' && r.status !== 'match')) continue;
    byRecord.set(r.clerkUserId, new Set(r.actions));
    for (const action of r.actions) {
      if (action.startsWith('organization:mapped:')) {
        organizations.add(action.slice('organization:mapped:'.length));
      }
    }
  }
  return {
    header,
    records,
    planned: { records: byRecord, organizations, roles: new Set(header.roles) },
  };
}

/**
 * Refuses to run a plan against another input, mapping, environment or options than it was
 * made for (`conflict`, `plan_mismatch`, naming what differs). @internal
 */
export function checkPlan(
  header: PlanHeader,
  now: Pick<PlanHeader, 'inputHash' | 'mappingHash' | 'environment' | 'workosMetadata'>,
  path: string,
): void {
  const differs: string[] = [];
  if (header.inputHash !== now.inputHash) differs.push('the input file (its SHA-256 differs)');
  if (header.mappingHash !== now.mappingHash) differs.push('the organization or role mapping');
  if (
    header.environment.apiHost !== now.environment.apiHost ||
    header.environment.clientId !== now.environment.clientId
  ) {
    differs.push(
      `the WorkOS environment (the plan is for ${header.environment.apiHost} with client ${header.environment.clientId})`,
    );
  }
  if (header.workosMetadata.join(',') !== now.workosMetadata.join(',')) {
    differs.push('the WorkOS metadata fields of the config');
  }
  if (differs.length > 0) {
    throw new OrgkitError(
      'conflict',
      `migration: the plan ${path} was made for another run: ${differs.join('; ')}. Make a new plan with --plan`,
      { reason: 'plan_mismatch', details: { differs: differs.length } },
    );
  }
}
