import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOrgkitError } from '../../../src/errors/index.js';
import {
  type MigrationRecordOutcome,
  type MigrationUserMapEntry,
  runClerkMigration,
} from '../../../src/migrate/index.js';
import {
  actionOfRequest,
  generateExport,
  recordingClient,
  setupMigrationEmulator,
  tempDirs,
  writeExport,
} from './support.js';

const env = setupMigrationEmulator();
const newDir = tempDirs();
const USERS = 12;
const MAPPED = 8;

async function prepare() {
  const dir = await newDir();
  const generated = generateExport(USERS);
  const input = await writeExport(dir, generated.csv);
  const organizationMapping = generated.expected.slice(0, MAPPED).map((e, i) => ({
    recordNumber: i + 1,
    clerkUserId: e.clerkUserId,
    orgExternalId: i % 2 === 0 ? 'acme' : 'globex',
    orgName: i % 2 === 0 ? 'Acme' : 'Globex',
  }));
  const roleMapping = [
    { recordNumber: 1, clerkUserId: generated.expected[0]!.clerkUserId, roleSlug: 'admin' },
  ];
  return { ...generated, input, outDir: join(dir, 'run'), organizationMapping, roleMapping };
}

const counted = (values: readonly string[]) => {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
};

describe('organizations: personal | mapped | none', () => {
  // 12 users, 8 of them mapped to two shared organizations; one mapped user is an admin.
  const cases = [
    { mode: 'personal', organizations: 2 + (USERS - MAPPED), memberships: USERS, mapping: true },
    { mode: 'mapped', organizations: 2, memberships: MAPPED, mapping: true },
    { mode: 'none', organizations: 0, memberships: 0, mapping: false },
  ] as const;

  it.each(cases)(
    '$mode: exactly $organizations organizations and $memberships memberships, the dry run predicts every write, and each write is one of the outcome actions',
    async ({ mode, organizations, memberships, mapping }) => {
      const { input, outDir, expected, organizationMapping, roleMapping } = await prepare();
      const factors = expected.filter((e) => e.totp).length;
      const options = {
        input,
        outDir,
        organizations: mode,
        ...(mapping ? { organizationMapping, roleMapping } : {}),
      };
      const dry = recordingClient(env.emulator);
      const planned = await runClerkMigration({ ...options, workos: dry.workos, dryRun: true });
      expect(dry.writes()).toEqual([]);

      const client = recordingClient(env.emulator);
      const outcomes: MigrationRecordOutcome[] = [];
      const summary = await runClerkMigration({
        ...options,
        workos: client.workos,
        onRecord: (o) => outcomes.push(o),
      });
      expect(summary.counts).toMatchObject({ created: USERS, matched: 0, failed: 0 });
      expect(summary.organizations).toBe(mode);
      const writes = USERS + organizations + memberships + factors;
      expect(summary.writes).toBe(writes);
      expect(planned.writes).toBe(writes);
      expect(client.writes()).toHaveLength(writes);

      const orgs = await (await env.workos.organizations.listOrganizations()).autoPagination();
      expect(orgs).toHaveLength(organizations);
      let membershipCount = 0;
      for (const org of orgs) {
        const list = await env.workos.userManagement.listOrganizationMemberships({
          organizationId: org.id,
        });
        membershipCount += list.data.length;
      }
      expect(membershipCount).toBe(memberships);

      // Each write the run sent is an action of exactly one record's outcome, and the dry run
      // named the same actions.
      const orgExternalIds = new Map(orgs.map((o) => [o.id, o.externalId ?? '']));
      const sent = client.writes().map((r) => actionOfRequest(r, orgExternalIds));
      const actionsOf = (list: readonly MigrationRecordOutcome[]) =>
        list.flatMap((o) => (o.status === 'created' || o.status === 'matched' ? o.actions : []));
      expect(counted(actionsOf(outcomes))).toEqual(counted(sent));
      const plannedOutcomes: MigrationRecordOutcome[] = [];
      await runClerkMigration({
        ...options,
        outDir: `${outDir}-fresh`,
        workos: env.emulator.createClient({ maxRetries: 0 }),
        dryRun: true,
        onRecord: (o) => plannedOutcomes.push(o),
      });
      // Against the migrated environment a new dry run plans nothing more.
      expect(actionsOf(plannedOutcomes)).toEqual([]);

      const map = JSON.parse(
        await readFile(summary.userMapPath!, 'utf8'),
      ) as MigrationUserMapEntry[];
      expect(map).toHaveLength(USERS);
      const mappedIds = new Set(organizationMapping.map((m) => m.clerkUserId));
      for (const entry of map) {
        const hasOrganization =
          mode === 'personal' || (mode === 'mapped' && mappedIds.has(entry.clerkUserId));
        expect(entry.organizationId !== null).toBe(hasOrganization);
      }
    },
    120_000,
  );

  it('binds the run directory to its mode, and refuses a mapping with none', async () => {
    const { input, outDir, organizationMapping } = await prepare();
    const workos = recordingClient(env.emulator).workos;
    await runClerkMigration({ input, outDir, workos, organizations: 'none' });
    const other = await runClerkMigration({
      input,
      outDir,
      workos,
      organizations: 'mapped',
      organizationMapping,
    }).catch((e: unknown) => e);
    expect(isOrgkitError(other) && [other.code, other.reason]).toEqual([
      'conflict',
      'run_mismatch',
    ]);
    expect((other as Error).message).toContain('organizations mode');

    const client = recordingClient(env.emulator);
    const refused = await runClerkMigration({
      input,
      outDir: `${outDir}-2`,
      workos: client.workos,
      organizations: 'none',
      organizationMapping,
    }).catch((e: unknown) => e);
    expect(isOrgkitError(refused) && refused.code).toBe('invalid_input');
    expect(client.sent).toEqual([]);
  });
});
