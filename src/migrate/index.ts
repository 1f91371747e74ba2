/**
 * `orgkit/migrate`: the Clerk → WorkOS migration. It lands with the migration issue;
 * this entry point exists so the package's export map is stable from the first release.
 * @packageDocumentation
 */
export type { OrgkitDatabase } from '../db/database.js';
