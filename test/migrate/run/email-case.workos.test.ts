import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runClerkMigration } from '../../../src/migrate/index.js';
import {
  caseInsensitiveEmails,
  generateExport,
  recordingClient,
  setupMigrationEmulator,
  tempDirs,
  writeExport,
} from './support.js';

const env = setupMigrationEmulator();
const newDir = tempDirs();

describe('emails are compared without regard to case', () => {
  it('a WorkOS user whose address differs from the export only in case is matched, not duplicated', async () => {
    const dir = await newDir();
    const { csv, expected } = generateExport(6, 'user_case');
    const input = await writeExport(dir, csv);
    // The export has Person.2@Example.com; WorkOS holds it in other capitals.
    const existing = await env.workos.userManagement.createUser({
      email: expected[2]!.email.toUpperCase(),
    });
    const client = recordingClient(env.emulator, { fetch: caseInsensitiveEmails() });
    const summary = await runClerkMigration({
      input,
      outDir: join(dir, 'run'),
      workos: client.workos,
    });
    expect(summary.counts).toMatchObject({ created: 5, matched: 1, failed: 0 });
    const users = await (await env.workos.userManagement.listUsers()).autoPagination();
    expect(users).toHaveLength(6);
    expect(users.filter((u) => u.email.toLowerCase() === expected[2]!.email)).toEqual([
      expect.objectContaining({ id: existing.id }),
    ]);
  });
});
