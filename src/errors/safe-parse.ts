import { en } from 'zod/locales';
import * as z from 'zod/mini';

let english: z.core.$ZodErrorMap | undefined;

/**
 * `safeParse` with zod's English messages. orgkit's schemas on the request path are zod/mini,
 * which loads no locale (its messages would all be "Invalid input"); this gives them the messages
 * the classic build gives, per call, without configuring the app's zod.
 * @internal
 */
export function safeParse<S extends z.core.$ZodType>(
  schema: S,
  value: unknown,
): z.core.util.SafeParseResult<z.output<S>> {
  english ??= en().localeError;
  return z.safeParse(schema, value, { error: english });
}
