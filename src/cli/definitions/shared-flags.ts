import type { FlagSpec } from '../define-command.js';

/** `--url`: every command that opens a database. */
export const URL_FLAG = {
  value: 'URL',
  description: 'a Postgres URL (default: DATABASE_URL, else embedded PGlite in ./.orgkit)',
} as const satisfies FlagSpec;

/** `--json`: the result as JSON on stdout instead of lines for people. */
export const JSON_FLAG = {
  description: 'print the result as JSON',
} as const satisfies FlagSpec;

/** `--org`: one audit chain. */
export const ORG_FLAG = {
  value: 'ID',
  description: 'an organization id, or "none" for the events recorded without an organization',
} as const satisfies FlagSpec;

/** `--permissive`: the rls commands' form of a table readable several ways. */
export const PERMISSIVE_FLAG = {
  value: 'FORM',
  choices: ['combined', 'separate'],
  description:
    'one permissive SELECT policy per table with the ways ORed (combined, the default) or one per way (separate)',
} as const satisfies FlagSpec;

/** `--config`: the rls commands' model. */
export const RLS_CONFIG_FLAG = {
  value: 'FILE',
  description: 'the model: JSON, or a module whose default export is a model',
} as const satisfies FlagSpec;

/** `--from` and `--to`: a time range of audit events. */
export const TIME_RANGE_FLAGS = {
  from: {
    value: 'ISO',
    description: 'from this time, inclusive (2025-01-31 or 2025-01-31T09:00:00Z)',
  },
  to: { value: 'ISO', description: 'up to this time, exclusive' },
} as const satisfies Record<string, FlagSpec>;
