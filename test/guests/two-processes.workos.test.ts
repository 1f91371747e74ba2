import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditRows } from '../preferences/audit-support.js';
import { openTestDatabase } from '../support/databases.js';
import { runWorkerProcess } from '../support/worker-process.js';
import { setupEmulator, tables } from './support.js';

const env = setupEmulator();
const WORKER = join(import.meta.dirname, 'fixtures', 'provision-worker.ts');

interface WorkerResult {
  email: string;
  workosUserId?: string;
  organizationId?: string;
  created?: boolean;
  error?: string;
}

const runWorker = (vars: Record<string, string>) => runWorkerProcess<WorkerResult[]>(WORKER, vars);

// Two OS processes share nothing but the database and WorkOS, as two app servers would.
describe.runIf(process.env.DATABASE_URL)('guest provisioning across two processes', () => {
  it('provisions the same 100 emails from two processes into exactly 100 guests', async () => {
    const t = await openTestDatabase({ url: process.env.DATABASE_URL });
    try {
      const emails = Array.from({ length: 100 }, (_, i) => `guest${i}@example.com`);
      const vars = {
        // As the test database runs (the owner role under ORGKIT_TEST_RLS).
        DATABASE_URL: t.url!,
        ORGKIT_SCHEMA: t.schema,
        EMULATOR_URL: env.emulator.url,
        EMULATOR_API_KEY: env.emulator.apiKey,
      };
      // The second process gets the emails in another case and order, so the same guest is
      // claimed at different moments by each.
      const [first, second] = await Promise.all([
        runWorker({ ...vars, EMAILS: JSON.stringify(emails) }),
        runWorker({
          ...vars,
          EMAILS: JSON.stringify(emails.map((e) => ` ${e.toUpperCase()}`).reverse()),
        }),
      ]);
      const all = [...first!, ...second!];
      expect(all.filter((r) => r.error)).toEqual([]);

      const byEmail = new Map<string, WorkerResult[]>();
      for (const r of all) {
        const key = r.email.trim().toLowerCase();
        byEmail.set(key, [...(byEmail.get(key) ?? []), r]);
      }
      expect(byEmail.size).toBe(100);
      for (const [, pair] of byEmail) {
        expect(pair).toHaveLength(2);
        expect(pair[0]!.workosUserId).toBe(pair[1]!.workosUserId);
        expect(pair[0]!.organizationId).toBe(pair[1]!.organizationId);
        expect(pair.filter((r) => r.created)).toHaveLength(1);
      }

      const users = (await env.workos.userManagement.listUsers({ limit: 100 })).autoPagination();
      const organizations = (
        await env.workos.organizations.listOrganizations({ limit: 100 })
      ).autoPagination();
      expect((await users).length).toBe(100);
      expect((await organizations).length).toBe(100);
      expect(await t.db.$count(tables.users)).toBe(100);
      expect(await t.db.$count(tables.organizations)).toBe(100);
      expect(await t.db.$count(tables.userOrgMemberships)).toBe(100);
      // One provisioning and one owner membership recorded per guest, whichever process won.
      const recorded = await auditRows(t.db);
      expect(recorded.filter((r) => r.action === 'guest.provisioned')).toHaveLength(100);
      expect(new Set(recorded.map((r) => r.organizationId)).size).toBe(100);
      expect(recorded.filter((r) => r.action === 'membership.created')).toHaveLength(100);
    } finally {
      await t.close();
    }
  }, 120_000);
});
