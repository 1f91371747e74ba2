import { OrgkitError } from '../errors/index.js';

// Plain lower-case-friendly SQL names only: no quotes, no `$` (the output uses `$$` bodies),
// at most 63 bytes (Postgres truncates longer names silently, which could merge two policies).
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Whether `name` is an identifier the generator accepts. @internal */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** Throws `invalid_config` naming `key` when `name` is not an accepted identifier. @internal */
export function checkIdentifier(name: string, key: string): string {
  if (!isIdentifier(name)) {
    throw new OrgkitError(
      'invalid_config',
      `${key}: "${name}" is not a plain SQL identifier (letters, digits, _; at most 63 characters)`,
      { details: { key } },
    );
  }
  return name;
}

/** `"name"` with embedded `"` doubled. @internal */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `'text'` with embedded `'` doubled; never a `$1` placeholder. @internal */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** `"schema"."name"`. @internal */
export function qualify(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}
