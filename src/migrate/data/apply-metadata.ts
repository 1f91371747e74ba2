import * as z from 'zod';
import { createAuditWriterModule } from '../../audit/create-writer.js';
import type { AuditRecorder } from '../../audit/recorder.js';
import { RequestScopeStore } from '../../context/index.js';
import type { OrgkitDatabase } from '../../db/database.js';
import { createOrgkitTables } from '../../db/tables.js';
import { isOrgkitError, OrgkitError, parseInput } from '../../errors/index.js';
import { createExpertSetup, DEFAULT_EXPERT_SETUP_STEPS } from '../../expert-setup/index.js';
import {
  compilePreferencesSchema,
  type PreferencesSchema,
} from '../../preferences/compile-schema.js';
import { createPreferences, defaultPreferencesSchema } from '../../preferences/index.js';
import { defaultAccessControl } from '../../roles/index.js';
import { type MirrorChange, upsertChangeOf } from '../../sync/mirror-event.js';
import type { ClerkUserRecord } from '../input/types.js';
import { readExpertSetup, readSecurityPreferences } from './metadata-fields.js';
import type {
  ClerkMetadataImporter,
  ClerkMetadataImporterOptions,
  ClerkMetadataOutcome,
} from './metadata-types.js';
import type { ClerkMetadataWarning } from './metadata-warnings.js';
import { mapClerkRole, parseRoleMapping, SEED_CLERK_ROLE_MAPPING } from './role-mapping.js';
import { profileOf, writeProfile } from './write-profile.js';
import {
  ensureUserRow,
  writeExpertSetup,
  writePreferences,
  writeRole,
} from './write-user-metadata.js';

/** The audit actor of every change the migration makes. */
export const CLERK_MIGRATION_ACTOR = 'clerk-migration';

/** Every module call names the migration as its actor: it runs outside any request. */
const AS_MIGRATION = { actor: { system: CLERK_MIGRATION_ACTOR } } as const;

const WHAT = 'createClerkMetadataImporter';
const id = z.string().trim().min(1).max(256);
const userSchema = z.object({
  record: z.looseObject({
    clerkUserId: id,
    primaryEmail: z.string().min(1),
    source: z.enum(['csv', 'json']),
  }),
  workosUserId: id,
  organizationId: id.nullable(),
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
 * Builds the writer of Clerk metadata (seed 3.6): the profile WorkOS has no field for (username,
 * phone numbers, other addresses, the three metadata objects and the JSON export's other fields,
 * exactly as exported) into `orgkit_clerk_profiles`, `public_metadata.role` through a role mapping
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
  const audit = createAuditWriterModule(database, tables, scope);

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
        .transaction(async (tx): Promise<ClerkMetadataOutcome> => {
          const outcome: ClerkMetadataOutcome = {
            clerkUserId: record.clerkUserId,
            workosUserId,
            metadataInExport,
            role: mapped.role,
            stepsCompleted: [],
            preferencesWritten: [],
            changed: false,
            created: { user: false, expertSetup: false, preferences: false, profile: false },
            warnings,
          };
          const userRow = await ensureUserRow(tx, tables, change);
          if (!userRow) {
            warnings.push({
              code: 'user_deleted_in_workos',
              field: 'workosUserId',
              reason: 'WorkOS reported the user deleted; nothing was written for it',
            });
            return { ...outcome, role: undefined };
          }
          outcome.changed = userRow.changed;
          outcome.created.user = userRow.created;
          // Every record has a profile (the CSV's username, phones and other addresses too).
          const profile = await writeProfile(tx, tables, workosUserId, profileOf(record));
          outcome.created.profile = profile.created;
          outcome.changed ||= profile.written;
          if (!metadataInExport) return outcome;
          const target = { userId: workosUserId, organizationId };
          if (await writeRole(tx, tables, workosUserId, userRow.role, mapped.role)) {
            outcome.changed = true;
            if (!userRow.created) outcome.previousRole = userRow.role;
          }
          if (setup.present) {
            const written = await writeExpertSetup(
              tx,
              tables,
              buildSetup(tx),
              target,
              setup.completed,
              AS_MIGRATION,
            );
            outcome.stepsCompleted = written.marked;
            outcome.created.expertSetup = written.created;
            outcome.changed ||= written.created || written.marked.length > 0;
          }
          const preferencesApi = createPreferences({ db: tx, tables, scope, schema, recordAudit });
          const written = await writePreferences(
            tx,
            tables,
            preferencesApi,
            target,
            prefs.patch,
            AS_MIGRATION,
          );
          outcome.preferencesWritten = written.written;
          outcome.created.preferences = written.created;
          outcome.changed ||= written.created || written.written.length > 0;
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
