import { Buffer } from 'node:buffer';
import * as z from 'zod/mini';
import type { RequestScope } from '../context/index.js';
import type { OrgkitTables } from '../db/tables.js';
import { OrgkitError, parseInput } from '../errors/index.js';
import type { AuditEvents } from './define-audit-events.js';
import { toJsonObject } from './json-value.js';
import type { Redactor } from './redact.js';
import type { AuditEventInput, LogAuditOptions } from './types.js';

/** The largest `changes` plus `metadata` of one event, serialised. */
export const MAX_EVENT_JSON_BYTES = 64 * 1024;

// Control characters would let a value fake lines in a CSV or log export.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;
const noControl = (s: string) => s.search(CONTROL) === -1;
const nameText = z
  .string()
  .check(z.minLength(1), z.maxLength(256), z.refine(noControl, 'contains a control character'));
const idText = z
  .string()
  .check(
    z.trim(),
    z.minLength(1),
    z.maxLength(256),
    z.refine(noControl, 'contains a control character'),
  );

/** A named system job as an actor (`{ system: 'nightly-export' }`). @internal */
export const systemActorSchema = z.strictObject({ system: nameText });

const actorSchema = z.union([z.strictObject({ userId: nameText }), systemActorSchema]);

const optionsSchema = z.strictObject({
  tx: z.optional(
    z.custom<unknown>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        typeof (v as { execute?: unknown }).execute === 'function',
      { message: 'expected a drizzle transaction' },
    ),
  ),
  actor: z.optional(actorSchema),
  organizationId: z.optional(z.nullable(idText)),
  outcome: z.optional(z.enum(['success', 'failure', 'denied'])),
  subjectIds: z.optional(z.lazy(() => subjectIdsSchema)),
});

// z.custom passes the caller's object through untouched: rebuilding it (as z.record does) would
// assign a "__proto__" key as a prototype. toJsonObject copies it safely afterwards.
const jsonObject = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date),
  { message: 'expected an object' },
);

const changesSchema = z.optional(
  z.nullable(
    z.strictObject({
      oldValues: z.optional(z.nullable(jsonObject)),
      newValues: z.optional(z.nullable(jsonObject)),
    }),
  ),
);

/** The people an event concerns: at most 100 ids, each once. @internal */
export const subjectIdsSchema = z.array(idText).check(
  z.maxLength(100),
  z.refine((ids) => new Set(ids).size === ids.length, 'names a subject twice'),
);

const eventSchema = z.strictObject({
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.union([idText, z.pipe(z.number(), z.transform(String)), z.null()]),
  changes: changesSchema,
  metadata: z.optional(z.nullable(jsonObject)),
  actor: z.optional(actorSchema),
  organizationId: z.optional(z.nullable(idText)),
  outcome: z.optional(z.enum(['success', 'failure', 'denied'])),
  subjectIds: z.optional(subjectIdsSchema),
});

/** One event ready for the table (before the trigger links it). @internal */
export type AuditRow = Omit<
  OrgkitTables['auditLogs']['$inferSelect'],
  // The database sets these; its trigger overwrites whatever a writer sends.
  'id' | 'occurredAt' | 'seq' | 'prevHash' | 'hash'
>;

/** Validates `logAuditEvent`'s options. @internal */
export function parseLogOptions(options: unknown, what: string): LogAuditOptions {
  return parseInput(optionsSchema, options ?? {}, `${what}: options`) as LogAuditOptions;
}

// Request-scope values come from HTTP headers: control characters are dropped rather than
// refusing to record the request.
const clean = (value: string | undefined, max: number) =>
  value === undefined ? null : value.replace(CONTROL, '').slice(0, max) || null;

/**
 * Validates one event, fills actor, organization, IP, user agent and request id from the request
 * scope, and redacts it: what this returns is what the table receives.
 * @internal
 */
export function toAuditRow(
  input: AuditEventInput,
  context: {
    scope: RequestScope | undefined;
    events: AuditEvents;
    redactor: Redactor;
    what: string;
  },
): AuditRow {
  const { scope, events, redactor, what } = context;
  const event = parseInput(eventSchema, input, what);
  if (!events.isAction(event.action)) {
    throw new OrgkitError(
      'invalid_input',
      `${what}: action: "${event.action}" is not a declared audit action`,
      {
        details: { key: 'action' },
      },
    );
  }
  if (!events.isResourceType(event.resourceType)) {
    throw new OrgkitError(
      'invalid_input',
      `${what}: resourceType: "${event.resourceType}" is not a declared resource type`,
      { details: { key: 'resourceType' } },
    );
  }
  const session = scope?.session;
  const actor = event.actor ?? (session ? { userId: session.userId } : undefined);
  if (!actor) {
    throw new OrgkitError(
      'invalid_input',
      `${what}: no actor is known: call it inside a request scope with a session, or pass { actor: { userId } | { system: 'job-name' }, organizationId }`,
      { reason: scope ? 'no_session' : 'no_request_scope', details: { key: 'actor' } },
    );
  }
  const organizationId =
    event.organizationId !== undefined ? event.organizationId : (session?.organizationId ?? null);
  const changes = redactor.changes(
    toJsonObject(event.changes?.oldValues, what, 'changes.oldValues'),
    toJsonObject(event.changes?.newValues, what, 'changes.newValues'),
  );
  const metadata = redactor.metadata(toJsonObject(event.metadata, what, 'metadata'));
  const size = Buffer.byteLength(
    JSON.stringify([changes.oldValues, changes.newValues, metadata]),
    'utf8',
  );
  if (size > MAX_EVENT_JSON_BYTES) {
    throw new OrgkitError(
      'invalid_input',
      `${what}: changes and metadata take ${size} bytes; at most ${MAX_EVENT_JSON_BYTES} are recorded per event`,
      { details: { key: 'metadata' } },
    );
  }
  return {
    action: event.action,
    outcome: event.outcome ?? 'success',
    actorWorkosUserId: 'userId' in actor ? actor.userId : null,
    actorSystem: 'system' in actor ? actor.system : null,
    workosOrgId: organizationId,
    targetType: event.resourceType,
    targetId: event.resourceId,
    ipAddress: clean(scope?.ipAddress, 64),
    userAgent: clean(scope?.userAgent, 512),
    requestId: clean(scope?.requestId, 128),
    oldValues: changes.oldValues ?? null,
    newValues: changes.newValues ?? null,
    metadata: metadata ?? null,
    subjectIds: event.subjectIds?.length ? event.subjectIds : null,
    // While a dashboard user impersonates the user, every event says so (WorkOS's `act` claim).
    impersonator: clean(session?.impersonator?.email, 320),
    impersonationReason: clean(session?.impersonator?.reason ?? undefined, 1_000),
  };
}
