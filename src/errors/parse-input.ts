import type * as z from 'zod';
import { OrgkitError } from './orgkit-error.js';

/**
 * Validates `value` against `schema` and throws `invalid_input` naming the first bad key.
 * @internal
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : undefined;
  const message = `${what}: ${path ? `${path}: ` : ''}${issue?.message ?? 'invalid value'}`;
  throw new OrgkitError('invalid_input', message, {
    cause: result.error,
    details: path ? { key: path } : undefined,
  });
}
