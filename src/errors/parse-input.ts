import type * as z from 'zod/mini';
import { OrgkitError } from './orgkit-error.js';
import { safeParse } from './safe-parse.js';

/**
 * Validates `value` against `schema` (zod or zod/mini) and throws `invalid_input` naming the first
 * bad key.
 * @internal
 */
export function parseInput<S extends z.core.$ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const result = safeParse(schema, value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : undefined;
  const message = `${what}: ${path ? `${path}: ` : ''}${issue?.message ?? 'invalid value'}`;
  throw new OrgkitError('invalid_input', message, {
    cause: result.error,
    details: path ? { key: path } : undefined,
  });
}
