/**
 * `orgkit/express`: the express adapter. Route protection lands with the framework-adapters issue;
 * this entry point exists so the package's export map is stable from the first release.
 * @packageDocumentation
 */
export type { Orgkit, OrgkitConfig, Session } from '../../index.js';
