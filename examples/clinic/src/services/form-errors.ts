import type { z } from 'zod';

/** Field name → the message shown beside it; `form` for errors about the whole form. */
export type FormErrors = Record<string, string>;

/** What a form service answers: the result, or the errors and the values to show again. */
export type FormResult<T> =
  | { ok: true; value: T }
  | { ok: false; errors: FormErrors; values: Record<string, string> };

/** The first message per field of a zod error. */
export function fieldErrors(error: z.ZodError): FormErrors {
  const errors: FormErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return errors;
}

/** The submitted values as strings, to fill the form again (files and arrays dropped). */
export function echoValues(input: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    if (typeof value === 'string') values[key] = value;
  }
  return values;
}
