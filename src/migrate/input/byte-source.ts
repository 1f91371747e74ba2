import { createReadStream } from 'node:fs';
import * as z from 'zod';
import { OrgkitError } from '../../errors/index.js';

/** Where an input file comes from: a path, or its content (a string, bytes or a stream of them). */
export type InputSource =
  | { readonly path: string }
  | { readonly content: string | Uint8Array | AsyncIterable<Uint8Array | string> };

const isAsyncIterable = (value: unknown) =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/** @internal */
export const inputSourceShape = {
  path: z.string().min(1).optional(),
  content: z
    .custom<string | Uint8Array | AsyncIterable<Uint8Array | string>>(
      (v) => typeof v === 'string' || v instanceof Uint8Array || isAsyncIterable(v),
      'expected a string, a Uint8Array or an async iterable of them',
    )
    .optional(),
};

/** Refinement: exactly one of `path` and `content`. @internal */
export const exactlyOneSource = (v: { path?: unknown; content?: unknown }) =>
  (v.path === undefined) !== (v.content === undefined);

const encoder = new TextEncoder();
const toBytes = (chunk: Uint8Array | string) =>
  typeof chunk === 'string' ? encoder.encode(chunk) : chunk;

function unreadable(what: string, path: string, error: unknown): OrgkitError {
  const code = (error as { code?: unknown })?.code;
  return new OrgkitError(
    'invalid_input',
    `${what}: cannot read ${path}${typeof code === 'string' ? ` (${code})` : ''}`,
    { reason: 'unreadable_input', details: { path }, cause: error },
  );
}

/** The source's bytes, chunk by chunk; a file that cannot be read is `invalid_input`. @internal */
export async function* readBytes(source: InputSource, what: string): AsyncGenerator<Uint8Array> {
  if ('path' in source) {
    const stream = createReadStream(source.path);
    const chunks = stream[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw unreadable(what, source.path, error);
      }
      if (next.done) return;
      yield next.value;
    }
  }
  const { content } = source;
  if (typeof content === 'string' || content instanceof Uint8Array) {
    yield toBytes(content);
    return;
  }
  for await (const chunk of content) yield toBytes(chunk);
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const hasBom = (b: Uint8Array) => b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;

/** The bytes without a leading byte-order mark, and the first byte that is not white space. @internal */
export interface PeekedBytes {
  readonly firstByte: number | undefined;
  readonly bytes: AsyncIterable<Uint8Array>;
}

/** Reads ahead to the first significant byte, then replays everything read. @internal */
export async function peekBytes(bytes: AsyncIterable<Uint8Array>): Promise<PeekedBytes> {
  const iterator = bytes[Symbol.asyncIterator]();
  let head: Uint8Array = new Uint8Array(0);
  const pull = async () => {
    const next = await iterator.next();
    if (next.done) return false;
    head = Buffer.concat([head, next.value]);
    return true;
  };
  while (head.length < 3 && (await pull()));
  const bomLength = hasBom(head) ? 3 : 0;
  let firstByte: number | undefined;
  let i = bomLength;
  for (;;) {
    while (i < head.length && WHITESPACE.has(head[i]!)) i++;
    if (i < head.length) {
      firstByte = head[i];
      break;
    }
    if (!(await pull())) break;
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    if (head.length > bomLength) yield head.subarray(bomLength);
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { firstByte, bytes: replay() };
}
