import { quoteLiteral } from './identifiers.js';

/** Where the generated SQL reads the token's claims. */
export type RlsTarget = 'postgres' | 'neon' | 'supabase';

/** The SQL expressions reading each claim; each call already in its own sub-select. @internal */
export interface ClaimReaders {
  /** The whole claims object as jsonb. */
  claims: string;
  /** `sub`, as text. */
  userId: string;
  /** `org_id`, as text. */
  organizationId: string;
}

// Every function call sits alone in a sub-select, `(select auth.jwt())`: that is the shape
// Supabase's advisor (splinter's auth_rls_initplan) looks for, and the call runs once per
// query. `wrapped` then puts the whole claim read in a second sub-select, so the field
// access and casts also run once (an InitPlan) rather than per row on a sequential scan.
const POSTGRES_CLAIMS = `nullif((select current_setting('request.jwt.claims', true)), '')::jsonb`;

// Neon: pg_session_jwt's auth.user_id() is the text `sub`; auth.session() is the claims.
// Supabase: auth.jwt(); never auth.uid(), which casts `sub` to uuid and WorkOS ids are text.
const READERS: Record<RlsTarget, ClaimReaders> = {
  postgres: {
    claims: POSTGRES_CLAIMS,
    userId: `${POSTGRES_CLAIMS} ->> 'sub'`,
    organizationId: `${POSTGRES_CLAIMS} ->> 'org_id'`,
  },
  neon: {
    claims: '(select auth.session())',
    userId: '(select auth.user_id())',
    organizationId: `(select auth.session()) ->> 'org_id'`,
  },
  supabase: {
    claims: '(select auth.jwt())',
    userId: `(select auth.jwt()) ->> 'sub'`,
    organizationId: `(select auth.jwt()) ->> 'org_id'`,
  },
};

/** @internal */
export function claimReaders(target: RlsTarget): ClaimReaders {
  return READERS[target];
}

/**
 * Each read wrapped in `(select …)`: it does not depend on the row, so Postgres evaluates it
 * once per query (an InitPlan) instead of once per row, and the comparison can use an index.
 * @internal
 */
export function wrapped(expression: string): string {
  // A lone call already in its sub-select (Neon's `(select auth.user_id())`) needs no second one.
  return /^\(select [\w.]+\(\)\)$/.test(expression) ? expression : `(select ${expression})`;
}

/** True when the token's `permissions` array holds `permission`; false (never NULL) without claims. @internal */
export function hasPermissionSql(readers: ClaimReaders, permission: string): string {
  return wrapped(
    `coalesce((${readers.claims} -> 'permissions') ? ${quoteLiteral(permission)}, false)`,
  );
}

/** True when the token's `role` is `role` or its `roles` array holds it. @internal */
export function hasOrgRoleSql(readers: ClaimReaders, role: string): string {
  const literal = quoteLiteral(role);
  return wrapped(
    `coalesce((${readers.claims} ->> 'role') = ${literal} or (${readers.claims} -> 'roles') ? ${literal}, false)`,
  );
}
