import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { OrgkitError } from '../../errors/index.js';
import { type ClerkAppDataConfig, parseClerkAppDataConfig } from '../data/app-data-config.js';
import type { ClerkRoleMapping } from '../data/role-mapping.js';
import {
  type MappingEntry,
  type OrganizationMappingRow,
  type RoleMappingRow,
  readOrganizationMapping,
  readRoleMapping,
} from '../input/mapping-files.js';
import {
  WORKOS_METADATA_FIELDS,
  WORKOS_METADATA_LIMITS,
  type WorkOSMetadataField,
} from '../run/field-accounting.js';
import { ORGANIZATION_MODES, type OrganizationMode } from '../run/options.js';

const slug = z.string().regex(/^\S{1,128}$/, 'expected a role slug (no white space)');
const path = z.string().min(1, 'expected a file path');

const configFileSchema = z.strictObject({
  /** The organizations mapping CSV, relative to the config file. */
  organizations: path.optional(),
  /** The roles mapping CSV, relative to the config file. */
  roles: path.optional(),
  ownerRole: slug.optional(),
  memberRole: slug.optional(),
  /** How `public_metadata.role` becomes `users.role`; checked against the app's roles later. */
  roleMapping: z.unknown().optional(),
  /** App tables to rewrite; validated by parseClerkAppDataConfig. */
  appData: z.unknown().optional(),
  totpIssuer: z.string().min(1).max(128).optional(),
  /** Which organizations the run makes; `--organizations` overrides it. */
  organizationMode: z.enum(ORGANIZATION_MODES).optional(),
  /** Profile fields also written to WorkOS user metadata. */
  workosMetadata: z
    .array(z.enum(WORKOS_METADATA_FIELDS))
    .max(WORKOS_METADATA_LIMITS.keys)
    .refine((f) => new Set(f).size === f.length, 'expected each field once')
    .optional(),
});

/** A migration config file (`--config FILE`), read and with its mapping files loaded. */
export interface ClerkMigrationConfig {
  readonly organizationMapping?: readonly OrganizationMappingRow[];
  readonly roleMapping?: readonly RoleMappingRow[];
  readonly ownerRole?: string;
  readonly memberRole?: string;
  /** Clerk `public_metadata.role` → app role. @default SEED_CLERK_ROLE_MAPPING */
  readonly metadataRoleMapping?: ClerkRoleMapping;
  readonly appData?: ClerkAppDataConfig;
  readonly totpIssuer?: string;
  /** `personal` (default), `mapped` or `none`: see `RunClerkMigrationOptions.organizations`. */
  readonly organizationMode?: OrganizationMode;
  /** Profile fields also written to WorkOS user metadata (within its limits). */
  readonly workosMetadata?: readonly WorkOSMetadataField[];
}

const configError = (file: string, key: string, message: string, cause?: unknown) =>
  new OrgkitError('invalid_config', `migration config ${file}: ${key}: ${message}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { key },
  });

/** Reads a whole mapping file; a bad row is a configuration mistake naming its record number. */
async function readMapping<Row>(
  file: string,
  key: string,
  entries: AsyncIterable<MappingEntry<Row>>,
): Promise<Row[]> {
  const rows: Row[] = [];
  try {
    for await (const entry of entries) {
      if (!entry.ok) {
        const { recordNumber, code, reason } = entry.rejection;
        throw configError(file, key, `record ${recordNumber}: ${code}: ${reason}`);
      }
      rows.push(entry.row);
    }
  } catch (error) {
    if (error instanceof OrgkitError && error.code === 'invalid_config') throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw configError(file, key, `cannot read the mapping file: ${message}`, error);
  }
  return rows;
}

/**
 * Reads a migration config file (JSON): the mapping CSVs (`organizations`, `roles`, paths
 * relative to the config file), `ownerRole`, `memberRole`, `roleMapping` (Clerk role → app role),
 * `appData` (`{ tables, batchSize }`), `totpIssuer`, `organizationMode` (`personal`, `mapped`
 * or `none`) and `workosMetadata` (profile fields to copy into WorkOS user metadata). Any mistake, including a bad row of a
 * mapping file, is `invalid_config` naming the key.
 *
 * @example
 * ```ts
 * const config = await readClerkMigrationConfig('migrate.json')
 * await migrateFromClerk({ input, outDir, workos, database, config })
 * ```
 */
export async function readClerkMigrationConfig(file: string): Promise<ClerkMigrationConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const message =
      (error as { code?: unknown }).code === 'ENOENT'
        ? 'no such file'
        : error instanceof SyntaxError
          ? `not JSON (${error.message})`
          : 'cannot be read';
    throw configError(file, '(root)', message, error);
  }
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.length ? issue.path.join('.') : '(root)';
    throw configError(file, key, issue?.message ?? 'invalid', parsed.error);
  }
  const c = parsed.data;
  const base = dirname(resolve(file));
  let appData: ClerkAppDataConfig | undefined;
  if (c.appData !== undefined) {
    try {
      appData = parseClerkAppDataConfig(c.appData);
    } catch (error) {
      const key = `appData.${(error as OrgkitError).details?.key ?? '(root)'}`;
      throw configError(file, key, (error as Error).message.replace(/^app data config: /, ''));
    }
  }
  let metadataRoleMapping: ClerkRoleMapping | undefined;
  if (c.roleMapping !== undefined) {
    const roleMapping = z
      .strictObject({
        rules: z.array(
          z.strictObject({ clerkRole: z.string().min(1), appRole: z.string().min(1) }),
        ),
        otherwise: z.string().min(1),
      })
      .safeParse(c.roleMapping);
    if (!roleMapping.success) {
      const issue = roleMapping.error.issues[0];
      const key = ['roleMapping', ...(issue?.path ?? [])].join('.');
      throw configError(file, key, issue?.message ?? 'invalid', roleMapping.error);
    }
    metadataRoleMapping = roleMapping.data;
  }
  return {
    ...(c.organizations === undefined
      ? {}
      : {
          organizationMapping: await readMapping(
            file,
            'organizations',
            readOrganizationMapping({ path: resolve(base, c.organizations) }),
          ),
        }),
    ...(c.roles === undefined
      ? {}
      : {
          roleMapping: await readMapping(
            file,
            'roles',
            readRoleMapping({ path: resolve(base, c.roles) }),
          ),
        }),
    ...(c.ownerRole === undefined ? {} : { ownerRole: c.ownerRole }),
    ...(c.memberRole === undefined ? {} : { memberRole: c.memberRole }),
    ...(metadataRoleMapping ? { metadataRoleMapping } : {}),
    ...(appData ? { appData } : {}),
    ...(c.totpIssuer === undefined ? {} : { totpIssuer: c.totpIssuer }),
    ...(c.organizationMode === undefined ? {} : { organizationMode: c.organizationMode }),
    ...(c.workosMetadata === undefined ? {} : { workosMetadata: c.workosMetadata }),
  };
}
