import type { OrgkitDatabase } from '../../db/database.js';
import type { OrgkitTables } from '../../db/tables.js';
import type { PreferencesSchema } from '../../preferences/compile-schema.js';
import type { AccessControl } from '../../roles/index.js';
import type { ClerkUserRecord } from '../input/types.js';
import type { ClerkMetadataWarning } from './metadata-warnings.js';
import type { ClerkRoleMapping } from './role-mapping.js';

/** Options of `createClerkMetadataImporter`; the keys mirror `createOrgkit`'s. */
export interface ClerkMetadataImporterOptions {
  /** The app's database, with orgkit's tables migrated. */
  database: OrgkitDatabase;
  /** Renamed tables from `createOrgkitTables`. @default the default names */
  tables?: OrgkitTables;
  /** The app's roles; every app role of `roleMapping` must be one. @default defaultAccessControl */
  accessControl?: AccessControl;
  /** How `public_metadata.role` becomes `users.role`. @default SEED_CLERK_ROLE_MAPPING */
  roleMapping?: ClerkRoleMapping;
  /** The app's preferences schema, as given to `createOrgkit`. @default the seed's */
  preferences?: { schema?: PreferencesSchema };
  /** The app's onboarding steps, as given to `createOrgkit`. @default the seed's six */
  expertSetup?: { steps?: readonly string[] };
}

/** One user the migration created (or matched) in WorkOS, with the Clerk record it came from. */
export interface MigratedClerkUser {
  record: ClerkUserRecord;
  workosUserId: string;
  /**
   * The user's organization in WorkOS (the personal one, or the mapping file's); null when the
   * migration made none (`organizations: 'none'`, or `'mapped'` for a user the mapping leaves out).
   */
  organizationId: string | null;
  /**
   * The WorkOS user as the SDK returned it, mirrored into `users` as webhooks would. Without it
   * the row is made from the record, dated so that any WorkOS event about the user replaces it.
   */
  workosUser?: unknown;
}

/** What {@link ClerkMetadataImporter.apply} wrote for one user. */
export interface ClerkMetadataOutcome {
  clerkUserId: string;
  workosUserId: string;
  /** False for a record from an export that carries no metadata (the dashboard CSV): only the user row is ensured. */
  metadataInExport: boolean;
  /** The app role the metadata maps to; `undefined` when it could not be read (`users.role` is kept). */
  role: string | undefined;
  /** Steps this call marked complete (already complete ones are not counted). */
  stepsCompleted: string[];
  /** Preference keys this call stored or changed. */
  preferencesWritten: string[];
  /** True when this call changed anything; a second call with the same input returns false. */
  changed: boolean;
  /**
   * The rows this call created (what an undo deletes), and the app role the user had before
   * when this call changed it on an existing row (what an undo restores).
   */
  created: { user: boolean; expertSetup: boolean; preferences: boolean; profile: boolean };
  previousRole?: string;
  warnings: ClerkMetadataWarning[];
}

/** Writes Clerk metadata into orgkit's tables (seed 3.6). */
export interface ClerkMetadataImporter {
  /**
   * Writes one user's role, expert setup and preferences in one transaction (all or nothing).
   * Idempotent: applying the same user again changes nothing. Metadata that cannot be read is a
   * warning in the outcome, never an error; a malformed `user` is `invalid_input`.
   */
  apply(user: MigratedClerkUser): Promise<ClerkMetadataOutcome>;
}
