import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/database.js';
import { isOrgkitError } from '../../src/errors/index.js';
import { lintRls } from '../../src/rls/lint/index.js';
import { DATABASE_TARGETS } from '../support/databases.js';
import { brief, openLintDatabase, withLintFixture } from './support.js';

describe.each(DATABASE_TARGETS)('lintRls options on $name', ({ url }) => {
  it('rejects bad options with invalid_input', async () => {
    const { db, close } = await openLintDatabase(url);
    try {
      for (const options of [
        { role: '' },
        { schemas: [] },
        { ignore: 'x' },
        { schema: 'public' },
        // A lone surrogate cannot be sent to Postgres: refused before any query (found by the CLI
        // bad-input property).
        { role: 'a\udfffb' },
        { schemas: ['\ud800'] },
      ]) {
        const error = await lintRls(db, options as never).catch((caught: unknown) => caught);
        expect(isOrgkitError(error) && error.code).toBe('invalid_input');
      }
    } finally {
      await close();
    }
  });

  it('lints the search path by default, and leaves the caller its search path', async () => {
    await withLintFixture(url, async ({ run, db, schema }) => {
      await run('CREATE TABLE {s}.loose (id int)', 'SET LOCAL search_path TO {s}');
      expect(brief(await lintRls(db))).toEqual([
        { rule: 'rls_disabled', level: 'error', table: `${schema}.loose` },
      ]);
      const [setting] = rowsOf<{ path: string }>(
        await db.execute(sql`SELECT current_setting('search_path') AS path`),
      );
      expect(setting?.path).toBe(schema);
    });
  });
});
