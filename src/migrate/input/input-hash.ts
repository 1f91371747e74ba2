import { createHash } from 'node:crypto';
import * as z from 'zod';
import { parseInput } from '../../errors/index.js';
import { readBytes } from './byte-source.js';

/**
 * The SHA-256 of an input file's bytes, lower-case hex. A migration run is bound to it: a
 * resume or undo against a file with another hash is refused. An unreadable file throws
 * `invalid_input`.
 *
 * @example
 * ```ts
 * import { hashInputFile } from 'orgkit/migrate';
 *
 * const inputHash = await hashInputFile('clerk-users.csv'); // 'e3b0c442…'
 * ```
 */
export async function hashInputFile(path: string): Promise<string> {
  const file = parseInput(z.string().min(1, 'expected a file path'), path, 'hashInputFile');
  const hash = createHash('sha256');
  for await (const chunk of readBytes({ path: file }, 'input file')) hash.update(chunk);
  return hash.digest('hex');
}
