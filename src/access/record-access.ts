import * as z from 'zod';
import { subjectIdsSchema, systemActorSchema } from '../audit/event-input.js';
import type { AuditActor, AuditEventInput } from '../audit/types.js';
import type { RequestScope } from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import { OrgkitError, parseInput } from '../errors/index.js';
import { activeGrants, grantsCovering } from './active-grants.js';
import type { AccessDeps } from './deps.js';
import { checkPurpose } from './policy.js';
import { idText } from './text.js';
import type { AccessRecordResult } from './types.js';

/** The most resource ids one call names; more are a bulk export, recorded as such by the app. */
export const MAX_RESOURCE_IDS = 1_000;

const resourceIdsSchema = z
  .union([idText, z.number().finite(), z.array(z.union([idText, z.number().finite()]))])
  .transform((v) => [...new Set((Array.isArray(v) ? v : [v]).map(String))])
  .pipe(z.array(z.string()).min(1).max(MAX_RESOURCE_IDS));
const txSchema = z.custom<OrgkitDatabase>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { execute?: unknown }).execute === 'function',
  { message: 'expected a drizzle transaction' },
);
const actorSchema = z.union([z.strictObject({ userId: idText }), systemActorSchema]);
/** Options shared by reads and disclosures. @internal */
export const commonOptions = {
  purpose: z.string().min(1).max(64).optional(),
  subjectIds: z.optional(subjectIdsSchema),
  tx: txSchema.optional(),
  actor: actorSchema.optional(),
  organizationId: idText.nullable().optional(),
};
const recordOptionsSchema = z.strictObject(commonOptions).optional();

/** One access, validated: what an `access.read` or `access.disclosed` event is built from. @internal */
export interface AccessInput {
  action: 'access.read' | 'access.disclosed';
  resourceType: string;
  resourceIds: string[];
  purpose: string | undefined;
  subjectIds: string[];
  extra?: Record<string, unknown>;
  actor?: AuditActor | undefined;
  organizationId?: string | null | undefined;
}

/** What the access recorder needs. @internal */
export type AccessRecorderDeps = Omit<AccessDeps, 'hasPermission'>;

/** Validates `recordAccess`'s arguments (also the vocabulary and purpose rules). @internal */
export function parseAccess(
  deps: AccessRecorderDeps,
  resourceType: unknown,
  resourceIds: unknown,
  options: unknown,
  what: string,
): { input: AccessInput; tx: OrgkitDatabase | undefined } {
  if (typeof resourceType !== 'string' || !deps.events.isResourceType(resourceType)) {
    throw new OrgkitError(
      'invalid_input',
      `${what}: resourceType: ${typeof resourceType === 'string' ? `"${resourceType.slice(0, 100)}" is not a declared audit resource type` : 'expected a string'}`,
      { details: { key: 'resourceType' } },
    );
  }
  const ids = parseInput(resourceIdsSchema, resourceIds, `${what}: resourceIds`);
  const parsed = parseInput(recordOptionsSchema, options, `${what}: options`) ?? {};
  checkPurpose(deps.policy, resourceType, parsed.purpose, what);
  return {
    input: {
      action: 'access.read',
      resourceType,
      resourceIds: ids,
      purpose: parsed.purpose,
      subjectIds: parsed.subjectIds ?? [],
      actor: parsed.actor,
      organizationId: parsed.organizationId,
    },
    tx: parsed.tx,
  };
}

/** Who reads: the session's user, or the explicit actor outside a request. @internal */
export function readerOf(
  scope: RequestScope | undefined,
  input: Pick<AccessInput, 'actor'>,
  what: string,
): { actor: AuditActor; role: string | null } {
  const session = scope?.session;
  if (input.actor) return { actor: input.actor, role: null };
  if (session) return { actor: { userId: session.userId }, role: session.role ?? null };
  if (scope) {
    throw new OrgkitError('unauthenticated', `${what}: no authenticated session in this request`, {
      reason: 'no_session',
    });
  }
  throw new OrgkitError(
    'invalid_input',
    `${what}: outside a request scope pass { actor: { userId } | { system: 'job-name' }, organizationId }`,
    { reason: 'no_request_scope', details: { key: 'actor' } },
  );
}

/** The audit event of one access, marked with the grants it falls under. @internal */
export function accessEvent(
  input: AccessInput,
  reader: { actor: AuditActor; role: string | null },
  emergencyAccessIds: readonly string[],
): AuditEventInput {
  const one = input.resourceIds.length === 1;
  return {
    action: input.action,
    resourceType: input.resourceType,
    resourceId: one ? input.resourceIds[0]! : null,
    actor: input.actor ?? reader.actor,
    ...(input.organizationId !== undefined ? { organizationId: input.organizationId } : {}),
    subjectIds: input.subjectIds,
    metadata: {
      ...(input.purpose ? { purpose: input.purpose } : {}),
      count: input.resourceIds.length,
      ...(one ? {} : { resourceIds: input.resourceIds }),
      ...(reader.role ? { actorRole: reader.role } : {}),
      ...(emergencyAccessIds.length > 0 ? { emergencyAccessIds: [...emergencyAccessIds] } : {}),
      ...input.extra,
    },
  };
}

interface Waiter {
  input: AccessInput;
  resolve(result: AccessRecordResult): void;
  reject(error: unknown): void;
}

interface RequestAccessLog {
  /** `type \0 purpose \0 id` already recorded in this request. */
  recorded: Set<string>;
  pending: Waiter[] | undefined;
}

const MEMO_KEY = 'orgkit:access:log';

/**
 * Records accesses. Inside a request, the calls made together (before the next turn of the
 * event loop's microtasks) are merged per resource type and purpose and written in one
 * statement, which every one of them awaits; ids a request already recorded are not recorded
 * again. With `tx`, or outside a request, each call writes at once.
 * @internal
 */
export function createAccessRecorder(deps: AccessRecorderDeps) {
  const { db, tables, scope, audit, policy } = deps;

  const eventsFor = async (
    inputs: readonly AccessInput[],
    current: RequestScope | undefined,
    what: string,
    tx?: OrgkitDatabase,
  ) => {
    const reader = readerOf(current, inputs[0]!, what);
    const userId = 'userId' in reader.actor ? reader.actor.userId : undefined;
    // In the caller's transaction the lookup uses it too (a one-connection pool would wait on
    // itself otherwise), and is not shared with the rest of the request.
    const grants = userId
      ? await activeGrants(tx ?? db, tables, userId, tx ? undefined : current)
      : [];
    return inputs.map((input) => {
      const ids = grantsCovering(grants, input.resourceType, input.resourceIds, input.subjectIds);
      return { event: accessEvent(input, reader, ids), emergencyAccessIds: ids };
    });
  };

  const failure = (input: AccessInput, cause: unknown) =>
    new OrgkitError(
      'upstream_unavailable',
      `recordAccess: the access to ${input.resourceType} could not be recorded, so the read is refused`,
      { reason: 'access_not_recorded', cause },
    );

  /** Writes now, in `tx` when given; fail-closed types throw when the write fails. */
  const writeNow = async (
    input: AccessInput,
    tx: OrgkitDatabase | undefined,
    what: string,
  ): Promise<AccessRecordResult> => {
    const current = scope.current();
    const [built] = await eventsFor([input], current, what, tx);
    try {
      await audit.record([built!.event], { tx });
    } catch (cause) {
      // Inside the caller's transaction the failure is theirs to see: the transaction is lost.
      if (tx || policy.failClosed(input.resourceType)) throw failure(input, cause);
      return { recorded: false, emergencyAccessIds: built!.emergencyAccessIds };
    }
    return { recorded: true, emergencyAccessIds: built!.emergencyAccessIds };
  };

  const flush = async (log: RequestAccessLog, current: RequestScope) => {
    const waiters = log.pending ?? [];
    log.pending = undefined;
    // One event per resource type, purpose and organization: ids and subjects merged.
    const merged = new Map<string, { input: AccessInput; waiters: Waiter[] }>();
    for (const waiter of waiters) {
      const { input } = waiter;
      const key = [
        input.action,
        input.resourceType,
        input.purpose ?? '',
        input.organizationId === undefined ? '\u0001' : (input.organizationId ?? ''),
      ].join('\u0000');
      const entry = merged.get(key);
      if (!entry) {
        merged.set(key, { input: { ...input }, waiters: [waiter] });
        continue;
      }
      entry.input.resourceIds = [...new Set([...entry.input.resourceIds, ...input.resourceIds])];
      entry.input.subjectIds = [...new Set([...entry.input.subjectIds, ...input.subjectIds])];
      entry.waiters.push(waiter);
    }
    const entries = [...merged.values()];
    let built: Awaited<ReturnType<typeof eventsFor>>;
    try {
      built = await eventsFor(
        entries.map((e) => e.input),
        current,
        'recordAccess',
      );
      await audit.record(built.map((b) => b.event));
    } catch (cause) {
      for (const { input, waiters: group } of entries) {
        for (const waiter of group) {
          if (policy.failClosed(input.resourceType)) waiter.reject(failure(input, cause));
          else waiter.resolve({ recorded: false, emergencyAccessIds: [] });
        }
      }
      return;
    }
    entries.forEach(({ input, waiters: group }, i) => {
      for (const id of input.resourceIds) log.recorded.add(recordedKey(input, id));
      for (const waiter of group) {
        waiter.resolve({ recorded: true, emergencyAccessIds: built[i]!.emergencyAccessIds });
      }
    });
  };

  const recordedKey = (input: AccessInput, id: string) =>
    [input.resourceType, input.purpose ?? '', id].join('\u0000');

  return {
    /** Records one validated access (see the factory's comment for when it is written). */
    record(input: AccessInput, tx: OrgkitDatabase | undefined, what: string) {
      const current = scope.current();
      if (tx || !current || input.actor || input.action !== 'access.read') {
        return writeNow(input, tx, what);
      }
      readerOf(current, input, what); // no session: refused now, not at the flush
      let log = current.memo.get(MEMO_KEY) as RequestAccessLog | undefined;
      if (!log) {
        log = { recorded: new Set(), pending: undefined };
        current.memo.set(MEMO_KEY, log);
      }
      const fresh = input.resourceIds.filter((id) => !log.recorded.has(recordedKey(input, id)));
      if (fresh.length === 0) {
        return Promise.resolve<AccessRecordResult>({ recorded: true, emergencyAccessIds: [] });
      }
      return new Promise<AccessRecordResult>((resolve, reject) => {
        const waiter: Waiter = { input: { ...input, resourceIds: fresh }, resolve, reject };
        if (log.pending) {
          log.pending.push(waiter);
          return;
        }
        log.pending = [waiter];
        // Calls made in the same turn (Promise.all over a page's reads) join this statement.
        queueMicrotask(() => {
          void flush(log, current);
        });
      });
    },
  };
}
