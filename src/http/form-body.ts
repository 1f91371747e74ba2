import { Buffer } from 'node:buffer';
import { OrgkitError } from '../errors/index.js';

/** The most a sign-in form's body may hold: an email, a code and a path fit many times over. */
const MAX_FORM_BYTES = 16 * 1024;

type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | ReadableStream<Uint8Array>;

const tooLarge = () =>
  new OrgkitError('invalid_input', 'the form is too large', { reason: 'body_too_large' });

/**
 * The fields of an `application/x-www-form-urlencoded` body (what a plain HTML form posts), read
 * from a Node request, a Web `ReadableStream` or chunks at hand, and given up past 16 KiB: a form
 * route needs no body parser and cannot be made to buffer an unbounded body. A repeated field
 * keeps its first value.
 * @internal
 */
export async function readFormFields(
  body: Chunks | null | undefined,
  contentType: string | null | undefined,
): Promise<Record<string, string>> {
  if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new OrgkitError(
      'invalid_input',
      'send the form as application/x-www-form-urlencoded (a plain HTML form does)',
      { reason: 'unsupported_media_type' },
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunksOf(body)) {
    size += chunk.byteLength;
    if (size > MAX_FORM_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return formFields(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

async function* chunksOf(body: Chunks | null | undefined): AsyncIterable<Uint8Array> {
  if (!body) return;
  if (!('getReader' in body)) return yield* body;
  const reader = body.getReader();
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) yield read.value;
  } finally {
    // Stops the upload when the loop above gave up on a body too large.
    await reader.cancel().catch(() => {});
  }
}

/** A form's fields as a plain object; a repeated field keeps its first value. @internal */
export function formFields(params: URLSearchParams): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of params) fields[name] ??= value;
  return fields;
}
