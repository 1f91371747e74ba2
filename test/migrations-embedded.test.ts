import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { embedMigrations } from '../scripts/embed-migrations.js';

it('the embedded migrations match the committed drizzle-kit SQL files', () => {
  const generated = readFileSync(
    join(import.meta.dirname, '../src/db/migrations.generated.ts'),
    'utf8',
  );
  expect(generated, 'run `npm run db:generate`').toBe(embedMigrations());
});
