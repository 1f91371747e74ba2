import { describe, expect, it } from 'vitest';
import { readClerkExport } from '../../../src/migrate/index.js';

describe('readClerkExport options', () => {
  it.each([
    [undefined, 'readClerkExport'],
    [{}, 'pass exactly one of path and content'],
    [{ path: 'a.csv', content: 'x' }, 'pass exactly one of path and content'],
    [{ path: '' }, 'path'],
    [{ content: 42 }, 'content'],
    [{ content: { not: 'a stream' } }, 'content'],
    [{ path: 'a.csv', format: 'xml' }, 'format'],
    [{ path: 'a.csv', encoding: 'latin1' }, 'encoding'],
  ])('refuses %j at once, naming the problem', (options, named) => {
    expect(() => readClerkExport(options as never)).toThrowError(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining(named) }),
    );
  });
});
