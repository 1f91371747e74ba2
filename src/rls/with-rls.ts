import { sql } from 'drizzle-orm';
import * as z from 'zod/mini';
import type { OrgkitDatabase } from '../db/database.js';
import { OrgkitError } from '../errors/index.js';
import { parseInput } from '../errors/parse-input.js';
import type { Session } from '../session/types.js';
import { isIdentifier } from './identifiers.js';

/** Options for {@link withRls}. */
export interface WithRlsOptions {
  /** The request role the policies were generated for. @default 'authenticated' */
  role?: string;
}

/** The transaction handle `db.transaction` passes to its callback. */
export type RlsTransaction<DB extends OrgkitDatabase> = Parameters<
  Parameters<DB['transaction']>[0]
>[0];

const sessionSchema = z.object({
  userId: z.string().check(z.minLength(1)),
  sessionId: z.optional(z.string()),
  organizationId: z.optional(z.string().check(z.minLength(1))),
  role: z.optional(z.string()),
  roles: z.readonly(z.array(z.string())),
  permissions: z.readonly(z.array(z.string())),
  claims: z.optional(z.record(z.string(), z.unknown())),
});
const optionsSchema = z.strictObject({
  role: z.optional(z.string().check(z.refine(isIdentifier, 'not a plain SQL identifier'))),
});

/** The JSON the policies read from `request.jwt.claims`. @internal */
export function rlsClaims(session: z.output<typeof sessionSchema>): Record<string, unknown> {
  return {
    ...session.claims,
    sub: session.userId,
    org_id: session.organizationId ?? null,
    role: session.role ?? null,
    roles: session.roles,
    permissions: session.permissions,
    sid: session.sessionId ?? null,
  };
}

/**
 * Runs `fn` in one transaction as the request role with the session's claims set, so the
 * generated policies decide what it sees. Both settings are transaction-local: the pooled
 * connection goes back without them. No session fails closed with `unauthenticated`.
 *
 * @example
 * ```ts
 * const rows = await withRls(db, session, (tx) => tx.select().from(events))
 * ```
 */
export async function withRls<DB extends OrgkitDatabase, T>(
  db: DB,
  session: Session | undefined,
  fn: (tx: RlsTransaction<DB>) => Promise<T>,
  options: WithRlsOptions = {},
): Promise<T> {
  if (session === undefined || session === null) {
    throw new OrgkitError('unauthenticated', 'withRls: no authenticated session', {
      reason: 'no_session',
    });
  }
  if (typeof db?.transaction !== 'function') {
    throw new OrgkitError('invalid_input', 'withRls: db: pass a drizzle Postgres database');
  }
  if (typeof fn !== 'function') {
    throw new OrgkitError('invalid_input', 'withRls: fn: pass a function');
  }
  const parsed = parseInput(sessionSchema, session, 'withRls: session');
  const role = parseInput(optionsSchema, options, 'withRls: options').role ?? 'authenticated';
  const claims = JSON.stringify(rlsClaims(parsed));
  return db.transaction(async (tx) => {
    // One round trip, both values parameters: `set_config('role', …, true)` is `SET LOCAL ROLE`
    // (the same membership check), and the select list is evaluated left to right.
    try {
      await tx.execute(
        sql`select set_config('role', ${role}, true), set_config('request.jwt.claims', ${claims}, true)`,
      );
    } catch (error) {
      // A role that does not exist, or that the connecting user may not assume, is a setup
      // problem: named, not the driver's error.
      throw new OrgkitError(
        'invalid_config',
        `withRls: cannot act as the request role "${role}": create it and grant it to the connecting user (see orgkit rls generate)`,
        { cause: error, reason: 'rls_role_unavailable' },
      );
    }
    return fn(tx as RlsTransaction<DB>);
  }) as Promise<T>;
}
