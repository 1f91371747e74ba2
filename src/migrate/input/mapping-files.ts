import * as z from 'zod';
import { parseInput } from '../../errors/index.js';
import {
  exactlyOneSource,
  type InputSource,
  inputSourceShape,
  peekBytes,
  readBytes,
} from './byte-source.js';
import { cleanValue, idOfMalformedRow } from './clerk-values.js';
import { readCsvRows } from './csv-rows.js';
import { clerkUserIdSchema, externalIdSchema, roleSlugSchema } from './field-schemas.js';
import type { ClerkRecordRejection, ClerkRejectionCode } from './types.js';

/** A row of the organizations mapping file: the Clerk user belongs to this organization. */
export interface OrganizationMappingRow {
  readonly recordNumber: number;
  readonly clerkUserId: string;
  /** The organization's WorkOS `externalId`. */
  readonly orgExternalId: string;
  readonly orgName: string;
}

/** A row of the roles mapping file: the Clerk user's memberships get this role. */
export interface RoleMappingRow {
  readonly recordNumber: number;
  readonly clerkUserId: string;
  readonly roleSlug: string;
}

/** What the mapping readers yield per row: the row, or why it was left out. */
export type MappingEntry<Row> =
  | { readonly ok: true; readonly row: Row }
  | { readonly ok: false; readonly rejection: ClerkRecordRejection };

/** Options of the mapping readers: the file's path, or its content. */
export type ReadMappingOptions = InputSource;

const optionsSchema = z
  .strictObject(inputSourceShape)
  .refine(exactlyOneSource, 'pass exactly one of path and content');

type Check<Row> = (
  recordNumber: number,
  get: (column: string) => string | undefined,
  clerkUserId: string,
) => Row | { code: ClerkRejectionCode; reason: string };

function reject<Row>(
  recordNumber: number,
  rawId: string | undefined,
  code: ClerkRejectionCode,
  reason: string,
): MappingEntry<Row> {
  const id = clerkUserIdSchema.safeParse(rawId);
  const rejection = id.success
    ? { recordNumber, clerkUserId: id.data, code, reason }
    : { recordNumber, code, reason };
  return { ok: false, rejection: Object.freeze(rejection) };
}

async function* mappingRows<Row extends object>(
  source: InputSource,
  what: string,
  columns: readonly string[],
  check: Check<Row>,
): AsyncGenerator<MappingEntry<Row>> {
  const { bytes } = await peekBytes(readBytes(source, what));
  for await (const row of readCsvRows(bytes, what, columns)) {
    if (!row.ok) {
      yield reject(row.recordNumber, idOfMalformedRow(row.firstField), 'malformed_row', row.reason);
      continue;
    }
    const get = (column: string) => cleanValue(row.get(column));
    const rawId = get('clerk_user_id');
    if (rawId === undefined) {
      yield reject(row.recordNumber, undefined, 'missing_id', 'no Clerk user id');
      continue;
    }
    if (!clerkUserIdSchema.safeParse(rawId).success) {
      yield reject(row.recordNumber, undefined, 'invalid_id', 'the Clerk user id is malformed');
      continue;
    }
    const checked = check(row.recordNumber, get, rawId);
    yield 'code' in checked
      ? reject(row.recordNumber, rawId, checked.code, checked.reason)
      : { ok: true, row: Object.freeze(checked) };
  }
}

/**
 * Reads the optional organizations mapping CSV (`clerk_user_id, org_external_id, org_name`),
 * streaming. A bad row (no or malformed id, an external id WorkOS would refuse, no name, the
 * same user and organization twice, an organization given two names) is yielded as a rejection
 * and reading goes on; the file as a whole throws `invalid_input` (e.g. a missing column).
 *
 * @example
 * ```ts
 * const orgsByUser = new Map<string, OrganizationMappingRow[]>();
 * for await (const entry of readOrganizationMapping({ path: 'orgs.csv' })) {
 *   if (!entry.ok) continue; // report entry.rejection
 *   const rows = orgsByUser.get(entry.row.clerkUserId) ?? [];
 *   orgsByUser.set(entry.row.clerkUserId, [...rows, entry.row]);
 * }
 * ```
 */
export function readOrganizationMapping(
  options: ReadMappingOptions,
): AsyncIterable<MappingEntry<OrganizationMappingRow>> {
  const source = parseInput(optionsSchema, options, 'readOrganizationMapping') as InputSource;
  const names = new Map<string, string>();
  const pairs = new Map<string, number>();
  return mappingRows<OrganizationMappingRow>(
    source,
    'organizations mapping',
    ['clerk_user_id', 'org_external_id', 'org_name'],
    (recordNumber, get, clerkUserId) => {
      const orgExternalId = get('org_external_id');
      if (orgExternalId === undefined || !externalIdSchema.safeParse(orgExternalId).success) {
        return {
          code: 'invalid_org_external_id',
          reason: 'org_external_id is not 1 to 128 printable ASCII characters',
        };
      }
      const orgName = get('org_name');
      if (orgName === undefined) return { code: 'missing_org_name', reason: 'no org_name' };
      const known = names.get(orgExternalId);
      if (known !== undefined && known !== orgName) {
        return {
          code: 'conflicting_org_name',
          reason: 'an earlier row gives this organization another name',
        };
      }
      const pair = JSON.stringify([clerkUserId, orgExternalId]);
      const earlier = pairs.get(pair);
      if (earlier !== undefined) {
        return {
          code: 'duplicate_row',
          reason: `the same user and organization as record ${earlier}`,
        };
      }
      names.set(orgExternalId, orgName);
      pairs.set(pair, recordNumber);
      return { recordNumber, clerkUserId, orgExternalId, orgName };
    },
  );
}

/**
 * Reads the optional roles mapping CSV (`clerk_user_id, role_slug`), streaming, with the same
 * rules as {@link readOrganizationMapping}: a bad row (no or malformed id, a slug with white
 * space, the same user and role twice) is a rejection and reading goes on.
 *
 * @example
 * ```ts
 * for await (const entry of readRoleMapping({ path: 'roles.csv' })) {
 *   if (entry.ok) rolesByUser.set(entry.row.clerkUserId, entry.row.roleSlug);
 * }
 * ```
 */
export function readRoleMapping(
  options: ReadMappingOptions,
): AsyncIterable<MappingEntry<RoleMappingRow>> {
  const source = parseInput(optionsSchema, options, 'readRoleMapping') as InputSource;
  const pairs = new Map<string, number>();
  return mappingRows<RoleMappingRow>(
    source,
    'roles mapping',
    ['clerk_user_id', 'role_slug'],
    (recordNumber, get, clerkUserId) => {
      const roleSlug = get('role_slug');
      if (roleSlug === undefined || !roleSlugSchema.safeParse(roleSlug).success) {
        return { code: 'invalid_role_slug', reason: 'role_slug is empty or contains white space' };
      }
      const pair = JSON.stringify([clerkUserId, roleSlug]);
      const earlier = pairs.get(pair);
      if (earlier !== undefined) {
        return { code: 'duplicate_row', reason: `the same user and role as record ${earlier}` };
      }
      pairs.set(pair, recordNumber);
      return { recordNumber, clerkUserId, roleSlug };
    },
  );
}
