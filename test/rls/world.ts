import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../src/db/database.js';
import type { Session } from '../../src/session/types.js';
import { ORG_A, ORG_B, ORG_P } from './support.js';

/** Rows of the fixture and orgkit tables, as plain data the oracle reads. */
export interface World {
  events: { id: string; org: string }[];
  meetings: { id: string; org: string; guest: string | null }[];
  profiles: { id: string; user: string }[];
  transfers: { id: string; org: string }[];
  users: string[];
  /** Users with a `user_preferences` row, and with an `expert_setup` row. */
  preferences: string[];
  expertSetup: string[];
  organizations: string[];
  memberships: { id: string; user: string; org: string; status: 'active' | 'inactive' }[];
  audit: { action: string; org: string | null; actor: string | null }[];
}

export const MATRIX_WORLD: World = {
  events: [
    { id: 'e_A1', org: ORG_A },
    { id: 'e_A2', org: ORG_A },
    { id: 'e_B1', org: ORG_B },
  ],
  meetings: [
    { id: 'm_A1', org: ORG_A, guest: 'user_g' },
    { id: 'm_A2', org: ORG_A, guest: null },
    { id: 'm_B1', org: ORG_B, guest: 'user_g' },
    { id: 'm_B2', org: ORG_B, guest: 'user_a1' },
  ],
  profiles: [
    { id: 'p_a1', user: 'user_a1' },
    { id: 'p_b1', user: 'user_b1' },
    { id: 'p_g', user: 'user_g' },
  ],
  transfers: [
    { id: 't_A1', org: ORG_A },
    { id: 't_B1', org: ORG_B },
  ],
  users: ['user_a1', 'user_a2', 'user_b1', 'user_g'],
  preferences: ['user_a1', 'user_b1'],
  expertSetup: ['user_a1', 'user_g'],
  organizations: [ORG_A, ORG_B, ORG_P],
  memberships: [
    { id: 'om_a1_A', user: 'user_a1', org: ORG_A, status: 'active' },
    { id: 'om_a2_A', user: 'user_a2', org: ORG_A, status: 'active' },
    { id: 'om_b1_B', user: 'user_b1', org: ORG_B, status: 'active' },
    { id: 'om_a1_B', user: 'user_a1', org: ORG_B, status: 'inactive' },
    { id: 'om_g_P', user: 'user_g', org: ORG_P, status: 'active' },
    { id: 'om_g_A', user: 'user_g', org: ORG_A, status: 'active' },
  ],
  audit: [
    { action: 'test.a1_in_A', org: ORG_A, actor: 'user_a1' },
    { action: 'test.b1_in_B', org: ORG_B, actor: 'user_b1' },
    { action: 'test.system', org: null, actor: null },
  ],
};

/** Inserts `world` as the connection's own (superuser) role, past every policy. */
export async function seed(db: OrgkitDatabase, world: World, withAudit = true): Promise<void> {
  const insert = async (table: string, columns: string[], values: (string | null)[][]) => {
    if (values.length === 0) return;
    const tuples = values.map(
      (v) =>
        sql`(${sql.join(
          v.map((x) => sql`${x}`),
          sql`, `,
        )})`,
    );
    await db.execute(
      sql`INSERT INTO ${sql.identifier(table)} (${sql.raw(columns.join(', '))}) VALUES ${sql.join(tuples, sql`, `)}`,
    );
  };
  await insert(
    'events',
    ['id', 'workos_org_id'],
    world.events.map((r) => [r.id, r.org]),
  );
  await insert(
    'meetings',
    ['id', 'expert_org_id', 'guest_workos_user_id'],
    world.meetings.map((r) => [r.id, r.org, r.guest]),
  );
  await insert(
    'profiles',
    ['id', 'workos_user_id'],
    world.profiles.map((r) => [r.id, r.user]),
  );
  await insert(
    'payment_transfers',
    ['id', 'workos_org_id'],
    world.transfers.map((r) => [r.id, r.org]),
  );
  await insert(
    'users',
    ['workos_user_id', 'email'],
    world.users.map((u) => [u, `${u}@example.com`]),
  );
  await insert(
    'user_preferences',
    ['workos_user_id'],
    world.preferences.map((u) => [u]),
  );
  await insert(
    'expert_setup',
    ['workos_user_id'],
    world.expertSetup.map((u) => [u]),
  );
  await insert(
    'organizations',
    ['workos_org_id', 'name'],
    world.organizations.map((o) => [o, o]),
  );
  await insert(
    'user_org_memberships',
    ['workos_membership_id', 'workos_user_id', 'workos_org_id', 'role', 'status'],
    world.memberships.map((m) => [m.id, m.user, m.org, 'member', m.status]),
  );
  if (withAudit) {
    await insert(
      'audit_logs',
      ['action', 'workos_org_id', 'actor_workos_user_id'],
      world.audit.map((a) => [a.action, a.org, a.actor]),
    );
  }
}

/** The claims a policy can see; `undefined` when none are set. */
export interface Claims {
  sub: string;
  org: string | undefined;
  permissions: readonly string[];
}

export function claimsOf(session: Session | undefined): Claims | undefined {
  return (
    session && {
      sub: session.userId,
      org: session.organizationId,
      permissions: session.permissions,
    }
  );
}

/** The tables the matrix reads, with the column that names each row. */
export const KEY_COLUMN = {
  events: 'id',
  meetings: 'id',
  profiles: 'id',
  payment_transfers: 'id',
  users: 'workos_user_id',
  user_preferences: 'workos_user_id',
  expert_setup: 'workos_user_id',
  organizations: 'workos_org_id',
  user_org_memberships: 'workos_membership_id',
  audit_logs: 'action',
} as const;
export type MatrixTable = keyof typeof KEY_COLUMN;

// Equality as SQL sees it: NULL (a missing claim) equals nothing.
const same = (a: string | null | undefined, b: string | null | undefined) =>
  a != null && b != null && a === b;

/** The oracle: the rows of `table` the model lets `c` read, written from the model's prose. */
export function visibleKeys(w: World, table: MatrixTable, c: Claims | undefined): string[] {
  const sub = c?.sub;
  const org = c?.org;
  const keys = (() => {
    switch (table) {
      case 'events':
        return w.events.filter((r) => same(r.org, org)).map((r) => r.id);
      case 'meetings':
        return w.meetings.filter((r) => same(r.org, org) || same(r.guest, sub)).map((r) => r.id);
      case 'profiles':
        return w.profiles.filter((r) => same(r.user, sub)).map((r) => r.id);
      case 'payment_transfers':
        return w.transfers.filter((r) => same(r.org, org)).map((r) => r.id);
      case 'users':
        return w.users.filter((u) => same(u, sub));
      case 'user_preferences':
        return w.preferences.filter((u) => same(u, sub));
      case 'expert_setup':
        return w.expertSetup.filter((u) => same(u, sub));
      case 'organizations': {
        const memberOf = w.memberships
          .filter((m) => same(m.user, sub) && m.status === 'active')
          .map((m) => m.org);
        return w.organizations.filter((o) => same(o, org) || memberOf.includes(o));
      }
      case 'user_org_memberships':
        return w.memberships.filter((m) => same(m.org, org) || same(m.user, sub)).map((m) => m.id);
      case 'audit_logs':
        return w.audit
          .filter((a) => same(a.org, org) && (c?.permissions.includes('audit:read') ?? false))
          .map((a) => a.action);
    }
  })();
  return [...keys].sort();
}

/** Rows `c` may UPDATE; `undefined` when the request role has no UPDATE grant at all. */
export function updatableKeys(w: World, table: MatrixTable, c: Claims | undefined) {
  switch (table) {
    case 'events':
      return visibleKeys(w, 'events', c);
    case 'meetings':
      return w.meetings
        .filter((r) => same(r.org, c?.org))
        .map((r) => r.id)
        .sort();
    case 'profiles':
    case 'user_preferences':
    case 'expert_setup':
      return visibleKeys(w, table, c);
    default:
      return undefined;
  }
}

/** Rows `c` may DELETE; `undefined` when the request role has no DELETE grant. */
export function deletableKeys(w: World, table: MatrixTable, c: Claims | undefined) {
  if (table === 'meetings') {
    return c?.permissions.includes('meetings:delete') ? updatableKeys(w, table, c) : [];
  }
  return updatableKeys(w, table, c);
}
