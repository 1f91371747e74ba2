import type { RetryPolicy } from '../../workos-calls/retry.js';
import type { OrganizationMappingRow, RoleMappingRow } from '../input/mapping-files.js';
import type {
  ClerkFieldAccount,
  ClerkFieldCounts,
  WorkOSMetadataField,
} from './field-accounting.js';
import type { MigrationLimiter } from './logged-step.js';
import type { OrganizationMode } from './options.js';
import type { PlannedWrites } from './plan-writes.js';
import type { MigrationEnvironment } from './run-manifest.js';
import type { MigrationWorkOS } from './workos-api.js';

export type { MigrationEnvironment, MigrationLimiter, MigrationWorkOS };

/** Options of {@link runClerkMigration}. */
export interface RunClerkMigrationOptions {
  /** The Clerk export: the dashboard CSV or the Backend API / CLI JSON. */
  readonly input: string;
  /** @default detected from the file's first character */
  readonly format?: 'csv' | 'json';
  /** The run directory: lock, manifest, log and `migration-user-map.json` (created if absent). */
  readonly outDir: string;
  /**
   * A `@workos-inc/node` client built with a `clientId`. Build it with `maxRetries: 0`: the run
   * retries itself, looking a create up before repeating it, which the SDK's retries do not.
   */
  readonly workos: MigrationWorkOS;
  /**
   * Which organizations the run makes: `personal` (the default, the seed's model) gives every
   * user the mapping leaves out a personal organization with an owner membership; `mapped`
   * makes only the organizations and memberships the mapping names; `none` makes users and
   * factors only (a mapping is then refused).
   * @default 'personal'
   */
  readonly organizations?: OrganizationMode;
  /**
   * Profile fields also written to the new WorkOS user's metadata (keys are these names), within
   * WorkOS's limits (10 keys, ASCII values of at most 600 characters; a value over them stays in
   * the database only and is reported). Every profile field is kept in the database either way.
   * @default []
   */
  readonly workosMetadata?: readonly WorkOSMetadataField[];
  /**
   * Create the environment roles the run assigns that WorkOS does not define yet
   * (`authorization.createEnvironmentRole`). Without it a missing role stops the run before any
   * write, naming the roles. @default false
   */
  readonly createRoles?: boolean;
  /** Only these Clerk user ids are migrated (`--retry-failed`, `--from-plan`); the others are left alone. */
  readonly onlyRecords?: ReadonlySet<string>;
  /** The writes a reviewed plan allows (`--from-plan`); any other write fails its record with `plan_mismatch`. */
  readonly plannedWrites?: PlannedWrites;
  /** Rows of the organizations mapping; users named in it get these organizations instead of a personal one. */
  readonly organizationMapping?: readonly OrganizationMappingRow[];
  /** Rows of the roles mapping: the role slugs of a user's mapped memberships. */
  readonly roleMapping?: readonly RoleMappingRow[];
  /** The role of a user's membership of their personal organization. @default 'owner' */
  readonly ownerRole?: string;
  /** The role of a mapped membership with no row in the roles mapping. @default 'member' */
  readonly memberRole?: string;
  /** The personal organization's name. @default `${firstName} ${lastName} (personal)`, or 'Personal organization' */
  readonly organizationName?: (user: {
    workosUserId: string;
    firstName?: string;
    lastName?: string;
  }) => string;
  /** Leave TOTP secrets out (no factor is enrolled). @default false */
  readonly skipMfa?: boolean;
  /** The issuer authenticator apps show for an enrolled factor. @default WorkOS's */
  readonly totpIssuer?: string;
  /** Check WorkOS read-only and report what would happen; nothing is written anywhere. @default false */
  readonly dryRun?: boolean;
  /** Records in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Every WorkOS write (each attempt) runs through `limiter.run`. @default no limit */
  readonly limiter?: MigrationLimiter & {
    /** A `Retry-After` pause to share: a 429 closes it for every call of the run. */
    readonly gate?: { remainingMs(): number; closeFor(ms: number): void };
  };
  /** Retries of each WorkOS call. @default { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5000, maxRetryAfterMs: 60000 } */
  readonly retry?: Partial<RetryPolicy>;
  /** Called once per record of the input as it is settled. */
  readonly onRecord?: (outcome: MigrationRecordOutcome) => void;
  /** Stops taking new records; those in flight finish, and the summary says `interrupted`. */
  readonly signal?: AbortSignal;
}

/** Something about an accepted record that did not move over (the record itself did). */
export interface MigrationWarning {
  /** `password_not_imported:<why>`, or an input warning code such as `invalid_secondary_email`. */
  readonly code: string;
  readonly reason: string;
}

/**
 * How one record of the input came out. Names the record by number and Clerk id only.
 * In a dry run, `created` and `matched` say what would happen.
 */
export type MigrationRecordOutcome =
  | {
      readonly status: 'created' | 'matched';
      readonly recordNumber: number;
      readonly clerkUserId: string;
      /** Absent in a dry run for a user that would be created. */
      readonly workosUserId?: string;
      readonly organizationIds: readonly string[];
      readonly warnings: readonly MigrationWarning[];
      /** Where each non-empty field of the record went, or why it could not go anywhere. */
      readonly fields: readonly ClerkFieldAccount[];
      /** The WorkOS writes the record made (in a dry run: would make), as plan actions. */
      readonly actions: readonly string[];
    }
  | {
      readonly status: 'skipped';
      readonly recordNumber: number;
      readonly clerkUserId?: string;
      /** A rejection code of the input (`duplicate_email`, …) or `already_migrated`. */
      readonly code: string;
      readonly reason: string;
    }
  | {
      readonly status: 'failed';
      readonly recordNumber: number;
      readonly clerkUserId: string;
      readonly code: string;
      readonly reason: string;
      readonly workosRequestId?: string;
    };

/** What {@link runClerkMigration} returns. */
export interface MigrationSummary {
  readonly dryRun: boolean;
  /** True when `signal` stopped the run before the input's end. */
  readonly interrupted: boolean;
  readonly counts: {
    readonly created: number;
    readonly matched: number;
    readonly skipped: number;
    readonly failed: number;
  };
  /** Skipped and failed records with their reasons, in input order. */
  readonly problems: readonly Exclude<MigrationRecordOutcome, { status: 'created' | 'matched' }>[];
  /** Records created or matched that left something behind (a password digest, …). */
  readonly warnings: readonly {
    readonly recordNumber: number;
    readonly clerkUserId: string;
    readonly warnings: readonly MigrationWarning[];
  }[];
  /** WorkOS writes made, or in a dry run the writes the run would make. */
  readonly writes: number;
  /** Per export field: records that kept it in WorkOS, its metadata or the database, and that could not import it, by code. */
  readonly fields: ClerkFieldCounts;
  /** Every field of a migrated record that could not be imported (wholly or in part), with the reason; never the value. */
  readonly notImported: readonly {
    readonly recordNumber: number;
    readonly clerkUserId: string;
    readonly field: string;
    readonly code: string;
    readonly reason: string;
  }[];
  /** The organizations mode the run used. */
  readonly organizations: OrganizationMode;
  /** Roles the run created in WorkOS (`createRoles`), or in a dry run would create. */
  readonly createdRoles: readonly string[];
  /**
   * Dry run only: the role slugs the run would assign that the WorkOS environment does not
   * define (`authorization.listEnvironmentRoles`); undefined when the client cannot list roles.
   */
  readonly missingRoles?: readonly string[];
  /** `DIR/migration-user-map.json`, written when the run reached the input's end; else undefined. */
  readonly userMapPath?: string;
}

/** Options of {@link undoClerkMigration}. */
export interface UndoClerkMigrationOptions {
  readonly outDir: string;
  /** A client for the run's WorkOS environment (the same API host and client id). */
  readonly workos: MigrationWorkOS;
  /** When given, the export must be the run's (same SHA-256). */
  readonly input?: string;
  /** Deletes in flight at once. @default 8 */
  readonly concurrency?: number;
  readonly limiter?: RunClerkMigrationOptions['limiter'];
  readonly retry?: Partial<RetryPolicy>;
  /** Called per object taken back; `deleted` is false when it was already gone. */
  readonly onObject?: (object: {
    readonly kind: 'user' | 'organization' | 'membership' | 'factor';
    readonly clerkUserId?: string;
    readonly deleted: boolean;
  }) => void;
}

/** What {@link undoClerkMigration} returns: objects deleted by kind, and what could not be. */
export interface UndoSummary {
  readonly deleted: {
    readonly users: number;
    readonly organizations: number;
    readonly memberships: number;
    readonly factors: number;
  };
  readonly failed: readonly {
    readonly kind: 'user' | 'organization' | 'membership' | 'factor';
    readonly clerkUserId?: string;
    readonly code: string;
    readonly reason: string;
    readonly workosRequestId?: string;
  }[];
}
