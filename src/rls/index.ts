/**
 * `orgkit/rls`: generated row-level-security SQL. The generator lands with the RLS issue;
 * this entry point exists so the package's export map is stable from the first release.
 * @packageDocumentation
 */
export type { OrgkitTables } from '../db/tables.js';
