import { sql } from 'drizzle-orm';
import type { AuditForwardOptions } from '../../src/audit/index.js';
import { createOrgkit } from '../../src/create-orgkit.js';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { rowsOf } from '../../src/db/database.js';
import type { WorkOSEmulator } from '../../src/testing/emulator.js';
import { createFaultyFetch, type FaultyFetchOptions } from '../../src/testing/fault-fetch.js';

/** One request the WorkOS SDK sent to create an audit event, as it left the SDK. */
export interface SentAuditEvent {
  idempotencyKey: string | null;
  /** The JSON body, in WorkOS's wire format: `{ organization_id, event }`. */
  body: { organization_id: string; event: Record<string, any> };
  /** The answer's status; `undefined` when no answer came (connection dropped, timeout). */
  status: number | undefined;
}

/** A fetch that records every audit event request (key, body, answer) before handing it on. */
export interface AuditRecorder {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  readonly sent: SentAuditEvent[];
  /** Idempotency keys of the requests WorkOS accepted (2xx). */
  accepted(): string[];
}

const isAuditPost = (url: URL, method: string) =>
  method === 'POST' && url.pathname === '/audit_logs/events';

function describe(input: string | URL | Request, init?: RequestInit) {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  return { url, method };
}

export function recordAuditEvents(next: typeof fetch): AuditRecorder {
  const sent: SentAuditEvent[] = [];
  const recorder = (async (input: string | URL | Request, init?: RequestInit) => {
    const { url, method } = describe(input, init);
    if (!isAuditPost(url, method)) return next(input, init);
    const entry: SentAuditEvent = {
      idempotencyKey: new Headers(init?.headers).get('idempotency-key'),
      body: JSON.parse(String(init?.body)),
      status: undefined,
    };
    sent.push(entry);
    const response = await next(input, init);
    entry.status = response.status;
    return response;
  }) as AuditRecorder;
  return Object.assign(recorder, {
    sent,
    accepted: () =>
      sent
        .filter((s) => s.status !== undefined && s.status < 300)
        .map((s) => s.idempotencyKey ?? ''),
  });
}

/**
 * The emulator (workos 0.14) reads `POST /audit_logs/events` as `{ organization_id, action:
 * { name } , … }`, not the `{ organization_id, event: { action, … } }` that WorkOS's API and
 * every SDK send, and answers 422 to the real shape. This rewrites the body on its way to the
 * emulator; the recorder before it keeps what the SDK sent.
 */
export function emulatorAuditShim(next: typeof fetch = globalThis.fetch): typeof fetch {
  return (input, init) => {
    const { url, method } = describe(input as string | URL | Request, init);
    if (!isAuditPost(url, method) || typeof init?.body !== 'string') return next(input, init);
    const { organization_id, event } = JSON.parse(init.body);
    const body = JSON.stringify({ organization_id, ...event, action: { name: event?.action } });
    return next(input, { ...init, body });
  };
}

/** A fetch that answers WorkOS's 400 for every audit event with `action`; others pass. */
export function refuseAction(action: string, next: typeof fetch): typeof fetch {
  return (input, init) => {
    const { url, method } = describe(input as string | URL | Request, init);
    if (isAuditPost(url, method) && JSON.parse(String(init?.body)).event?.action === action) {
      const answer = {
        message: 'Invalid Audit Log event.',
        code: 'invalid_audit_log_event',
        errors: [{ instancePath: '/targets' }],
      };
      return Promise.resolve(
        new Response(JSON.stringify(answer), {
          status: 400,
          headers: { 'content-type': 'application/json' },
        }),
      );
    }
    return next(input, init);
  };
}

/**
 * An orgkit forwarding audit events to the emulator through a recorder, then `wrap` (faults),
 * then the emulator shim; the SDK does not retry on its own.
 */
export function forwardingOrgkit(
  emulator: WorkOSEmulator,
  db: OrgkitDatabase,
  options: {
    forward?: AuditForwardOptions | false;
    faults?: FaultyFetchOptions;
    wrap?: (next: typeof fetch) => typeof fetch;
  } = {},
) {
  const shim = emulatorAuditShim();
  const faulty = createFaultyFetch({
    ...options.faults,
    fetch: options.wrap ? options.wrap(shim) : shim,
  });
  const recorder = recordAuditEvents(faulty);
  const workos = emulator.createClient({ fetchFn: recorder, maxRetries: 0, timeout: 2_000 });
  const orgkit = createOrgkit({
    database: db,
    workos,
    clientId: emulator.clientId,
    audit: { forwardToWorkOS: options.forward ?? { baseDelayMs: 0, maxDelayMs: 0 } },
  });
  return { orgkit, recorder, faulty };
}

/** The outbox as raw SQL sees it, oldest event first. */
export async function outboxRows(db: OrgkitDatabase) {
  return rowsOf<{
    event_id: string;
    workos_org_id: string;
    attempts: number;
    last_error: string | null;
    leased: boolean;
    due_in_ms: number;
  }>(
    await db.execute(sql`
      SELECT event_id::text AS event_id, workos_org_id, attempts, last_error,
        lease_token IS NOT NULL AS leased,
        (extract(epoch FROM next_attempt_at - now()) * 1000)::float8 AS due_in_ms
      FROM orgkit_audit_outbox ORDER BY event_id`),
  );
}
