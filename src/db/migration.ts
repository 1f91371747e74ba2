/** One shipped migration: drizzle-kit's SQL split at its statement breakpoints. */
export interface Migration {
  tag: string;
  /** sha256 of the SQL file, so an edited migration is noticed instead of skipped. */
  hash: string;
  statements: readonly string[];
}
