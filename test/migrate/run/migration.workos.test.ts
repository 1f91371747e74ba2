import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type MigrationRecordOutcome, runClerkMigration } from '../../../src/migrate/index.js';
import {
  FAST_RETRY,
  generateExport,
  recordingClient,
  setupMigrationEmulator,
  tempDirs,
  workosSnapshot,
  writeExport,
} from './support.js';

const env = setupMigrationEmulator();
const newDir = tempDirs();

async function prepare(count: number) {
  const dir = await newDir();
  const generated = generateExport(count);
  const input = await writeExport(dir, generated.csv);
  return { ...generated, input, outDir: join(dir, 'run') };
}

describe('runClerkMigration', () => {
  it('migrates every valid user once, with the right fields, a personal organization and an owner membership', async () => {
    const { input, outDir, expected, badRows } = await prepare(240);
    const client = recordingClient(env.emulator);
    const seen: MigrationRecordOutcome[] = [];
    const summary = await runClerkMigration({
      input,
      outDir,
      workos: client.workos,
      retry: FAST_RETRY,
      concurrency: 8,
      onRecord: (o) => seen.push(o),
    });

    expect(summary.counts).toEqual({ created: 240, matched: 0, skipped: badRows, failed: 0 });
    expect(seen).toHaveLength(240 + badRows);
    expect(summary.problems.map((p) => p.status === 'skipped' && p.code).sort()).toEqual(
      ['duplicate_email', 'duplicate_id', 'invalid_email', 'missing_email'].sort(),
    );

    const users = await (await env.workos.userManagement.listUsers()).autoPagination();
    expect(users).toHaveLength(240);
    const byExternalId = new Map(users.map((u) => [u.externalId, u]));
    const createBodies = new Map(
      client
        .writes()
        .filter((r) => r.path === '/user_management/users')
        .map((r) => [r.body!.external_id as string, r.body!]),
    );
    for (const want of expected) {
      const user = byExternalId.get(want.clerkUserId)!;
      expect(user.email).toBe(want.email);
      expect(user.emailVerified).toBe(want.verified);
      expect(user.firstName ?? undefined).toBe(want.firstName);
      expect(user.lastName ?? undefined).toBe(want.lastName);
      const body = createBodies.get(want.clerkUserId)!;
      expect(body.password_hash).toBe(want.passwordHash);
      expect(body.password_hash_type).toBe(want.passwordHash ? 'bcrypt' : undefined);
      const org = await env.workos.organizations.getOrganizationByExternalId(`personal:${user.id}`);
      const memberships = await env.workos.userManagement.listOrganizationMemberships({
        userId: user.id,
      });
      expect(memberships.data.map((m) => [m.organizationId, m.role?.slug])).toEqual([
        [org.id, 'owner'],
      ]);
      const factors = await env.workos.multiFactorAuth.listUserAuthFactors({ userId: user.id });
      expect(factors.data.map((f) => f.type)).toEqual(want.totp ? ['totp'] : []);
    }
    const organizations = await (
      await env.workos.organizations.listOrganizations()
    ).autoPagination();
    expect(organizations).toHaveLength(240);
  }, 60_000);
});
