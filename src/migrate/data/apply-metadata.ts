import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { createAudit, createRedactor, openAuditEvents } from '../../audit/index.js';
import { type JsonValue, stableStringify } from '../../audit/json-value.js';
import type { AuditRecorder } from '../../audit/recorder.js';
import { RequestScopeStore } from '../../context/index.js';
import type { OrgkitDatabase } from '../../db/database.js';
import { createOrgkitTables, type OrgkitTables } from '../../db/tables.js';
import { isOrgkitError, OrgkitError, parseInput } from '../../errors/index.js';
import { createExpertSetup, DEFAULT_EXPERT_SETUP_STEPS } from '../../expert-setup/index.js';
import { insertSetupIfMissing } from '../../expert-setup/setup-queries.js';
import { lockStored } from '../../preferences/audited-write.js';
import {
  compilePreferencesSchema,
  type PreferencesSchema,
} from '../../preferences/compile-schema.js';
import { createPreferences, defaultPreferencesSchema } from '../../preferences/index.js';
import { type AccessControl, defaultAccessControl } from '../../roles/index.js';
import { applyChange } from '../../sync/apply-change.js';
import { type MirrorChange, upsertChangeOf } from '../../sync/mirror-event.js';
import type { ClerkUserRecord } from '../input/types.js';
import { readExpertSetup, readSecurityPreferences } from './metadata-fields.js';
import type { ClerkMetadataWarning } from './metadata-warnings.js';
import {
  type ClerkRoleMapping,
  mapClerkRole,
  parseRoleMapping,
  SEED_CLERK_ROLE_MAPPING,
} from './role-mapping.js';

/** The audit actor of every change the migration makes. */
export const CLERK_MIGRATION_ACTOR = 'clerk-migration';

/** Options of {@link createClerkMetadataImporter}; the keys mirror `createOrgkit`'s. */
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
  /** The user's organization in WorkOS (the personal one, or the mapping file's). */
  organizationId: string;
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

const WHAT = 'createClerkMetadataImporter';
const id = z.string().trim().min(1).max(256);
const userSchema = z.object({
  record: z.looseObject({
    clerkUserId: id,
    primaryEmail: z.string().min(1),
    source: z.enum(['csv', 'json']),
  }),
  workosUserId: id,
  organizationId: id,
  workosUser: z.unknown().optional(),
});

const optionsSchema = z.looseObject({
  database: z.custom<OrgkitDatabase>(
    (v) => typeof (v as { transaction?: unknown } | null)?.transaction === 'function',
    'expected a drizzle database',
  ),
});

// Before any real WorkOS `updated_at`: the mirror's guard lets every later event replace the row.
const RECORD_DATED = new Date(0);

/** Rethrows a capability's configuration error under this function's name. */
function configError(error: unknown): never {
  if (isOrgkitError(error) && error.code === 'invalid_config') {
    throw new OrgkitError('invalid_config', error.message.replace(/^createOrgkit:/, `${WHAT}:`), {
      cause: error,
    });
  }
  throw error;
}

function userChange(input: z.output<typeof userSchema>, record: ClerkUserRecord): MirrorChange {
  if (input.workosUser === undefined) {
    return {
      kind: 'user',
      op: 'upsert',
      data: {
        id: input.workosUserId,
        email: record.primaryEmail,
        firstName: record.firstName ?? null,
        lastName: record.lastName ?? null,
        updatedAt: RECORD_DATED,
      },
    };
  }
  const change = upsertChangeOf('user', input.workosUser);
  if (!change || change.data.id !== input.workosUserId) {
    throw new OrgkitError(
      'invalid_input',
      `${WHAT}.apply: workosUser: expected the WorkOS user ${input.workosUserId} as the SDK returns it`,
      { details: { key: 'workosUser' } },
    );
  }
  return change;
}

/**
 * Builds the writer of Clerk metadata (seed 3.6): `public_metadata.role` through a role mapping
 * into `users.role`, `unsafe_metadata.expertSetup` through the expert-setup module, and
 * `public_metadata.securityPreferences` through the preferences module (keys Clerk lacks read
 * as the schema's defaults). Preference changes are audited as the `clerk-migration` system in
 * the user's organization, in the same transaction. Configuration mistakes are `invalid_config`.
 *
 * @example
 * ```ts
 * const importer = createClerkMetadataImporter({ database: db })
 * const outcome = await importer.apply({ record, workosUserId: 'user_01H…', organizationId: 'org_01H…' })
 * for (const w of outcome.warnings) console.warn(record.clerkUserId, w.code, w.field)
 * ```
 */
export function createClerkMetadataImporter(
  options: ClerkMetadataImporterOptions,
): ClerkMetadataImporter {
  const { database } = parseInput(optionsSchema, options, WHAT) as ClerkMetadataImporterOptions;
  const tables = options.tables ?? createOrgkitTables();
  const mapping = parseRoleMapping(
    options.roleMapping ?? SEED_CLERK_ROLE_MAPPING,
    options.accessControl ?? defaultAccessControl,
    WHAT,
  );
  const schema = options.preferences?.schema ?? defaultPreferencesSchema;
  let compiled: ReturnType<typeof compilePreferencesSchema<PreferencesSchema>>;
  let steps: readonly string[];
  const scope = new RequestScopeStore();
  const buildSetup = (db: OrgkitDatabase) =>
    createExpertSetup<string>({
      db,
      tables,
      scope,
      ...(options.expertSetup?.steps ? { steps: options.expertSetup.steps } : {}),
      // The migration never resets a setup.
      hasPermission: async () => false,
    });
  try {
    compiled = compilePreferencesSchema(schema);
    buildSetup(database);
    steps = options.expertSetup?.steps ?? DEFAULT_EXPERT_SETUP_STEPS;
  } catch (error) {
    configError(error);
  }
  const audit = createAudit({
    db: database,
    tables,
    scope,
    events: openAuditEvents,
    redactor: createRedactor({}),
    retentionDays: 2557,
    checkpointKey: undefined,
    readPermission: 'audit:read',
    hasPermission: async () => false,
    workos: undefined,
    forward: false,
  });

  return {
    async apply(user) {
      const input = parseInput(userSchema, user, `${WHAT}.apply`);
      // The caller's record, not zod's copy: metadata keeps every key as the reader produced it.
      const record = user.record;
      const { workosUserId, organizationId } = input;
      const change = userChange(input, record);
      const metadataInExport = record.source === 'json';
      const warnings: ClerkMetadataWarning[] = [];
      const mapped = metadataInExport
        ? mapClerkRole(record.publicMetadata, mapping)
        : { role: undefined, warnings: [] };
      const setup = metadataInExport
        ? readExpertSetup(record.unsafeMetadata, steps)
        : { present: false, completed: [], warnings: [] };
      const prefs = metadataInExport
        ? readSecurityPreferences(record.publicMetadata, compiled)
        : { patch: {}, warnings: [] };
      warnings.push(...mapped.warnings, ...setup.warnings, ...prefs.warnings);

      const recordAudit: AuditRecorder = (events, opts) =>
        audit.record(
          events.map((e) => ({
            ...e,
            actor: { system: CLERK_MIGRATION_ACTOR },
            organizationId,
          })),
          opts,
        );

      return database
        .transaction(async (tx) => {
          const outcome: ClerkMetadataOutcome = {
            clerkUserId: record.clerkUserId,
            workosUserId,
            metadataInExport,
            role: mapped.role,
            stepsCompleted: [],
            preferencesWritten: [],
            changed: false,
            warnings,
          };
          const mirrored = await applyChange(tx, tables, change);
          outcome.changed ||= mirrored.applied;
          const u = tables.users;
          const [row] = await tx
            .select({ role: u.role })
            .from(u)
            .where(eq(u.workosUserId, workosUserId))
            .for('update');
          if (!row) {
            // The mirror refused the row: WorkOS deleted this user after the run created it.
            warnings.push({
              code: 'user_deleted_in_workos',
              field: 'workosUserId',
              reason: 'WorkOS reported the user deleted; nothing was written for it',
            });
            return { ...outcome, role: undefined };
          }
          if (!metadataInExport) return outcome;

          if (mapped.role !== undefined && row.role !== mapped.role) {
            await tx
              .update(u)
              .set({ role: mapped.role, updatedAt: sql`now()` })
              .where(eq(u.workosUserId, workosUserId));
            outcome.changed = true;
          }

          if (setup.present) {
            const t = tables.expertSetup;
            // Made here first so the record carries the user's organization, as a session would give it.
            const created = await insertSetupIfMissing(tx, t, workosUserId, organizationId);
            outcome.changed ||= created.length > 0;
            const api = buildSetup(tx);
            const status = (await api.checkExpertSetupStatus(workosUserId)).setupStatus;
            for (const step of setup.completed) {
              if (status[step]) continue;
              await api.markStepComplete(step, workosUserId);
              outcome.stepsCompleted.push(step);
              outcome.changed = true;
            }
          }

          const p = tables.userPreferences;
          const [existed] = await tx
            .select({ id: p.id })
            .from(p)
            .where(eq(p.workosUserId, workosUserId));
          // Every migrated user gets a row (seed 3.6); an empty one reads as the defaults.
          const stored = await lockStored(tx, p, workosUserId, organizationId);
          outcome.changed ||= !existed;
          const differing = Object.keys(prefs.patch).filter(
            (key) =>
              stableStringify(stored[key] as JsonValue | undefined) !==
              stableStringify(prefs.patch[key] as JsonValue),
          );
          if (differing.length > 0) {
            const api = createPreferences({ db: tx, tables, scope, schema, recordAudit });
            await api.updateUserPreferences(
              workosUserId,
              Object.fromEntries(differing.map((key) => [key, prefs.patch[key]])),
            );
            outcome.preferencesWritten = differing;
            outcome.changed = true;
          }
          return outcome;
        })
        .catch((error: unknown) => {
          if (isOrgkitError(error)) throw error;
          throw new OrgkitError(
            'internal',
            `${WHAT}.apply: writing the metadata of ${record.clerkUserId} failed; nothing was written`,
            { cause: error },
          );
        });
    },
  };
}
