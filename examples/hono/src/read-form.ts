import type { Context } from 'hono';
import { OrgkitError } from 'orgkit';

/**
 * The submitted form's fields. A body that is not a readable form (a broken multipart body, say)
 * is a 400 with a sentence for the page, not a 500.
 */
export async function readForm(c: Context): Promise<Record<string, unknown>> {
  try {
    return await c.req.parseBody();
  } catch (cause) {
    throw new OrgkitError(
      'invalid_input',
      'the form could not be read; reload the page and try again',
      {
        cause,
        reason: 'unreadable_form',
      },
    );
  }
}
