import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps, workosUpdatedAt } from './columns.js';

/** The table names orgkit uses; each can be renamed. */
export interface OrgkitTableNames {
  users: string;
  organizations: string;
  userOrgMemberships: string;
  expertSetup: string;
  userPreferences: string;
  auditLogs: string;
  syncCursors: string;
  guestProvisioning: string;
  mirrorTombstones: string;
  auditHeads: string;
  auditCheckpoints: string;
  auditOutbox: string;
  tokenRevocations: string;
  sessionRefreshes: string;
  clerkProfiles: string;
  emergencyAccess: string;
}

/** The default table names; the shipped SQL migrations create these. */
export const DEFAULT_TABLE_NAMES: Readonly<OrgkitTableNames> = {
  users: 'users',
  organizations: 'organizations',
  userOrgMemberships: 'user_org_memberships',
  expertSetup: 'expert_setup',
  userPreferences: 'user_preferences',
  auditLogs: 'audit_logs',
  syncCursors: 'orgkit_sync_cursors',
  guestProvisioning: 'orgkit_guest_provisioning',
  mirrorTombstones: 'orgkit_mirror_tombstones',
  auditHeads: 'orgkit_audit_heads',
  auditCheckpoints: 'orgkit_audit_checkpoints',
  auditOutbox: 'orgkit_audit_outbox',
  tokenRevocations: 'orgkit_token_revocations',
  sessionRefreshes: 'orgkit_session_refreshes',
  clerkProfiles: 'orgkit_clerk_profiles',
  emergencyAccess: 'orgkit_emergency_access',
};

/** The kinds of WorkOS object the mirror keeps. */
export const MIRRORED_KINDS = ['user', 'organization', 'membership'] as const;
export type MirroredKind = (typeof MIRRORED_KINDS)[number];

/** Membership statuses as WorkOS reports them. */
export const MEMBERSHIP_STATUSES = ['active', 'inactive', 'pending'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/**
 * What a revocation mark takes from a user's access tokens issued before it: the role and
 * permission claims for one organization (`claims`), every token (`sessions`), or every token of
 * one WorkOS session (`session`).
 */
export const TOKEN_REVOCATION_KINDS = ['claims', 'sessions', 'session'] as const;
export type TokenRevocationKind = (typeof TOKEN_REVOCATION_KINDS)[number];

function defineTables(names: OrgkitTableNames) {
  const users = pgTable(
    names.users,
    {
      id: uuid('id').primaryKey().defaultRandom(),
      workosUserId: text('workos_user_id').notNull().unique(),
      email: text('email').notNull(),
      firstName: text('first_name'),
      lastName: text('last_name'),
      /** The application role (seed 3.1): `user`, `expert_top`, `admin`, … */
      role: text('role').notNull().default('user'),
      workosUpdatedAt: workosUpdatedAt(),
      ...timestamps(),
    },
    (t) => [index(`${names.users}_email_idx`).on(t.email)],
  );

  const organizations = pgTable(names.organizations, {
    id: uuid('id').primaryKey().defaultRandom(),
    workosOrgId: text('workos_org_id').notNull().unique(),
    /** WorkOS `externalId`, e.g. `personal:<userId>` for a guest's personal organization. */
    externalId: text('external_id').unique(),
    name: text('name').notNull(),
    workosUpdatedAt: workosUpdatedAt(),
    ...timestamps(),
  });

  // Memberships reference WorkOS ids, not foreign keys: webhook events arrive in any order,
  // and a membership may land before its user or organization.
  const userOrgMemberships = pgTable(
    names.userOrgMemberships,
    {
      id: uuid('id').primaryKey().defaultRandom(),
      workosMembershipId: text('workos_membership_id').notNull().unique(),
      workosUserId: text('workos_user_id').notNull(),
      workosOrgId: text('workos_org_id').notNull(),
      role: text('role').notNull(),
      roles: text('roles').array().notNull().default(sql`'{}'::text[]`),
      status: text('status', { enum: MEMBERSHIP_STATUSES }).notNull().default('active'),
      workosUpdatedAt: workosUpdatedAt(),
      ...timestamps(),
    },
    (t) => [
      index(`${names.userOrgMemberships}_user_status_idx`).on(t.workosUserId, t.status),
      index(`${names.userOrgMemberships}_org_idx`).on(t.workosOrgId),
    ],
  );

  const expertSetup = pgTable(
    names.expertSetup,
    {
      id: uuid('id').primaryKey().defaultRandom(),
      workosUserId: text('workos_user_id').notNull().unique(),
      workosOrgId: text('workos_org_id'),
      /** Completed steps by name; steps are configurable, so they are not columns. */
      setupStatus: jsonb('setup_status')
        .$type<Record<string, boolean>>()
        .notNull()
        .default(sql`'{}'::jsonb`),
      setupComplete: boolean('setup_complete').notNull().default(false),
      setupCompletedAt: timestamp('setup_completed_at', { withTimezone: true }),
      ...timestamps(),
    },
    (t) => [index(`${names.expertSetup}_incomplete_idx`).on(t.setupComplete, t.id)],
  );

  const userPreferences = pgTable(names.userPreferences, {
    id: uuid('id').primaryKey().defaultRandom(),
    workosUserId: text('workos_user_id').notNull().unique(),
    workosOrgId: text('workos_org_id'),
    /** Only the keys a user changed; reads merge them over the schema's defaults. */
    preferences: jsonb('preferences')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    ...timestamps(),
  });

  // Append-only and hash-chained per organization: the database assigns `seq`, `prev_hash`,
  // `hash` and `occurred_at` in a trigger (migration 0003), whatever a writer sends.
  const auditLogs = pgTable(
    names.auditLogs,
    {
      id: bigserial('id', { mode: 'bigint' }).primaryKey(),
      occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
      action: text('action').notNull(),
      outcome: text('outcome').notNull().default('success'),
      /** The user who acted; `null` when a system job did. */
      actorWorkosUserId: text('actor_workos_user_id'),
      /** The job that acted (`{ system: 'nightly-sync' }`); `null` when a user did. */
      actorSystem: text('actor_system'),
      /** The organization whose chain holds the event; `null` for the chain of no organization. */
      workosOrgId: text('workos_org_id'),
      targetType: text('target_type'),
      targetId: text('target_id'),
      ipAddress: text('ip_address'),
      userAgent: text('user_agent'),
      requestId: text('request_id'),
      oldValues: jsonb('old_values').$type<Record<string, unknown>>(),
      newValues: jsonb('new_values').$type<Record<string, unknown>>(),
      metadata: jsonb('metadata').$type<Record<string, unknown>>(),
      /** The people whose data the event concerns (a patient's user id), for per-subject reports. */
      subjectIds: text('subject_ids').array(),
      /** Who acted on the user's behalf: the session's `act` claim (a WorkOS dashboard user). */
      impersonator: text('impersonator'),
      /** The reason the impersonator gave, if any. */
      impersonationReason: text('impersonation_reason'),
      // The trigger overwrites these three on every insert; the placeholders only satisfy
      // drizzle's insert type.
      /** Position in the organization's chain, 1, 2, 3, … without gaps. */
      seq: bigint('seq', { mode: 'bigint' })
        .notNull()
        .$defaultFn(() => 0n),
      /** `hash` of the previous event of the chain (64 zeros for the first). */
      prevHash: text('prev_hash')
        .notNull()
        .$defaultFn(() => ''),
      /** Hex SHA-256 of the event's canonical form, which includes `prev_hash`. */
      hash: text('hash')
        .notNull()
        .$defaultFn(() => ''),
    },
    (t) => [
      uniqueIndex(`${names.auditLogs}_chain_seq_idx`).on(
        sql`coalesce(${t.workosOrgId}, '')`,
        t.seq,
      ),
      index(`${names.auditLogs}_org_time_idx`).on(t.workosOrgId, t.occurredAt, t.id),
      index(`${names.auditLogs}_actor_time_idx`).on(t.actorWorkosUserId, t.occurredAt, t.id),
      index(`${names.auditLogs}_target_time_idx`).on(
        t.workosOrgId,
        t.targetType,
        t.targetId,
        t.occurredAt,
        t.id,
      ),
      index(`${names.auditLogs}_action_time_idx`).on(t.workosOrgId, t.action, t.occurredAt, t.id),
      // One posting list per subject: "everything about subject X" reads only X's events.
      index(`${names.auditLogs}_subject_idx`).using('gin', t.subjectIds),
    ],
  );

  /**
   * Emergency ("break the glass") access: a user's time-boxed access to one subject's rows (or
   * one resource), with the reason given, until a reviewer records the outcome. Generated RLS
   * policies (`emergencyAccess` on a table rule) read the active grants of the token's user.
   */
  const emergencyAccess = pgTable(
    names.emergencyAccess,
    {
      id: uuid('id').primaryKey().defaultRandom(),
      granteeWorkosUserId: text('grantee_workos_user_id').notNull(),
      workosOrgId: text('workos_org_id'),
      /** The person whose rows become visible; `null` for a grant on one resource. */
      subjectId: text('subject_id'),
      resourceType: text('resource_type'),
      resourceId: text('resource_id'),
      reason: text('reason').notNull(),
      /** Set by the database clock, as is `expires_at`, which policies compare with `now()`. */
      grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
      expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
      reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
      reviewerWorkosUserId: text('reviewer_workos_user_id'),
      reviewOutcome: text('review_outcome', { enum: ['appropriate', 'inappropriate'] }),
      reviewNote: text('review_note'),
    },
    (t) => [
      index(`${names.emergencyAccess}_grantee_idx`).on(t.granteeWorkosUserId, t.expiresAt),
      index(`${names.emergencyAccess}_review_idx`)
        .on(t.workosOrgId, t.grantedAt)
        .where(sql`${t.reviewedAt} IS NULL`),
      check(`${names.emergencyAccess}_reason_check`, sql`length(btrim(${t.reason})) >= 3`),
      check(
        `${names.emergencyAccess}_target_check`,
        sql`(${t.subjectId} IS NOT NULL) OR (${t.resourceType} IS NOT NULL AND ${t.resourceId} IS NOT NULL)`,
      ),
    ],
  );

  /** The newest link of each chain; the chain key is the organization id, or '' for none. */
  const auditHeads = pgTable(names.auditHeads, {
    chain: text('chain').primaryKey(),
    seq: bigint('seq', { mode: 'bigint' }).notNull(),
    hash: text('hash').notNull(),
  });

  /**
   * Checkpoints recorded in the database (append-only): a purge writes one before it removes a
   * chain's events up to `seq`, so the rest of the chain still verifies from it.
   */
  const auditCheckpoints = pgTable(
    names.auditCheckpoints,
    {
      id: bigserial('id', { mode: 'bigint' }).primaryKey(),
      kind: text('kind', { enum: ['purge'] }).notNull(),
      chain: text('chain').notNull(),
      /** The last event the checkpoint covers. */
      seq: bigint('seq', { mode: 'bigint' }).notNull(),
      /** That event's hash, which the first remaining event must carry as `prev_hash`. */
      hash: text('hash').notNull(),
      /** Events removed by the purge, and the age they were all older than. */
      eventsPurged: bigint('events_purged', { mode: 'number' }).notNull().default(0),
      cutoff: timestamp('cutoff', { withTimezone: true }),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [index(`${names.auditCheckpoints}_chain_seq_idx`).on(t.chain, t.seq)],
  );

  /** Events waiting to be forwarded to WorkOS Audit Logs, leased by the drain that sends them. */
  const auditOutbox = pgTable(
    names.auditOutbox,
    {
      eventId: bigint('event_id', { mode: 'bigint' }).primaryKey(),
      workosOrgId: text('workos_org_id').notNull(),
      attempts: integer('attempts').notNull().default(0),
      nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
      leaseToken: text('lease_token'),
      leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
      /** The error code of the last failed attempt; never a message with event data. */
      lastError: text('last_error'),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [index(`${names.auditOutbox}_due_idx`).on(t.nextAttemptAt)],
  );

  /** Where `syncWorkOSEvents()` resumes: the id of the last event applied. */
  const syncCursors = pgTable(names.syncCursors, {
    name: text('name').primaryKey(),
    cursor: text('cursor').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  });

  /**
   * One row per guest email: the claim that makes provisioning exactly-once across processes (a
   * lease) and the record of how far it got, so a call that failed part-way is finished by the next.
   */
  const guestProvisioning = pgTable(names.guestProvisioning, {
    /** Trimmed and lower-cased. */
    email: text('email').primaryKey(),
    workosUserId: text('workos_user_id'),
    workosOrgId: text('workos_org_id'),
    workosMembershipId: text('workos_membership_id'),
    /** True when orgkit created the WorkOS user (rather than finding one). */
    userCreated: boolean('user_created').notNull().default(false),
    magicAuthSentAt: timestamp('magic_auth_sent_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** The holder of the claim while it provisions; others wait until it ends or expires. */
    leaseToken: text('lease_token'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    /** The error code and reason of the last failed attempt; never a message with user data. */
    lastError: text('last_error'),
    ...timestamps(),
  });

  /**
   * The WorkOS objects the mirror saw deleted, with the time of the deletion: a late event about
   * one of them (webhooks are retried and arrive in any order) must not bring its row back.
   */
  const mirrorTombstones = pgTable(
    names.mirrorTombstones,
    {
      kind: text('kind', { enum: MIRRORED_KINDS }).notNull(),
      workosId: text('workos_id').notNull(),
      /** The deleted object's `updated_at` as the delete event carried it. */
      deletedAt: timestamp('deleted_at', { withTimezone: true }).notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [primaryKey({ columns: [t.kind, t.workosId] })],
  );

  /**
   * Revocation marks: a user's access tokens issued before `revoked_at` lose what the mark's kind
   * names (see {@link TOKEN_REVOCATION_KINDS}). `subject` is the organization id (`claims`), the
   * WorkOS session id (`session`), or empty (`sessions`). One row per mark; a later revocation of
   * the same subject moves `revoked_at` forward.
   */
  const tokenRevocations = pgTable(
    names.tokenRevocations,
    {
      workosUserId: text('workos_user_id').notNull(),
      kind: text('kind', { enum: TOKEN_REVOCATION_KINDS }).notNull(),
      subject: text('subject').notNull(),
      revokedAt: timestamp('revoked_at', { withTimezone: true }).notNull(),
      ...timestamps(),
    },
    (t) => [primaryKey({ columns: [t.workosUserId, t.kind, t.subject] })],
  );

  /**
   * Cross-instance refresh of sealed sessions when only Postgres is shared: one row per cookie
   * being refreshed, keyed by a hash of the old cookie. The instance holding the lease refreshes;
   * the outcome (the new sealed session, encrypted with a key only the old cookie yields) stays
   * for the grace window, then is purged.
   */
  const sessionRefreshes = pgTable(names.sessionRefreshes, {
    key: text('key').primaryKey(),
    holder: text('holder').notNull(),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }).notNull(),
    outcome: text('outcome'),
    outcomeExpiresAt: timestamp('outcome_expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  });

  /**
   * What a Clerk migration brought over that WorkOS has no field for (issue 20): one row per
   * migrated user, every value exactly as the export had it. Written only by the importer.
   */
  const clerkProfiles = pgTable(names.clerkProfiles, {
    id: uuid('id').primaryKey().defaultRandom(),
    workosUserId: text('workos_user_id').notNull().unique(),
    clerkUserId: text('clerk_user_id').notNull().unique(),
    username: text('username'),
    primaryPhoneNumber: text('primary_phone_number'),
    verifiedPhoneNumbers: text('verified_phone_numbers')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    unverifiedPhoneNumbers: text('unverified_phone_numbers')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Verified addresses besides the primary one (which is the WorkOS user's email). */
    verifiedEmailAddresses: text('verified_email_addresses')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    unverifiedEmailAddresses: text('unverified_email_addresses')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    publicMetadata: jsonb('public_metadata').$type<Record<string, unknown>>(),
    unsafeMetadata: jsonb('unsafe_metadata').$type<Record<string, unknown>>(),
    privateMetadata: jsonb('private_metadata').$type<Record<string, unknown>>(),
    /** The JSON export's other fields (`created_at`, `image_url`, …), as exported. */
    other: jsonb('other').$type<Record<string, unknown>>(),
    ...timestamps(),
  });

  return {
    users,
    organizations,
    userOrgMemberships,
    expertSetup,
    userPreferences,
    auditLogs,
    syncCursors,
    guestProvisioning,
    mirrorTombstones,
    auditHeads,
    auditCheckpoints,
    auditOutbox,
    tokenRevocations,
    sessionRefreshes,
    clerkProfiles,
    emergencyAccess,
  };
}

/** orgkit's drizzle tables, as returned by {@link createOrgkitTables}. */
export type OrgkitTables = ReturnType<typeof defineTables>;

/**
 * Builds orgkit's drizzle tables, optionally under other names.
 *
 * The shipped SQL migrations create the default names; an app that renames tables adds the
 * returned tables to its own drizzle schema and generates its migrations with drizzle-kit.
 *
 * @example
 * ```ts
 * const tables = createOrgkitTables({ users: 'app_users' })
 * const orgkit = createOrgkit({ database: db, tables, ... })
 * ```
 */
export function createOrgkitTables(names: Partial<OrgkitTableNames> = {}): OrgkitTables {
  return defineTables({ ...DEFAULT_TABLE_NAMES, ...names });
}
