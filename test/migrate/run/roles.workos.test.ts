import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isOrgkitError } from '../../../src/errors/index.js';
import { runClerkMigration } from '../../../src/migrate/index.js';
import { preparedExport, recordingClient, setupMigrationEmulator, tempDirs } from './support.js';

// The environment defines member and admin but not owner, the personal organizations' role.
const env = setupMigrationEmulator(['member', 'admin']);
const newDir = tempDirs();

const prepare = async (count: number) => preparedExport(await newDir(), count);

const roleSlugs = async () =>
  (await env.workos.authorization.listEnvironmentRoles()).data.map((r) => r.slug).sort();

describe('roles the run assigns', () => {
  it('dry run reads WorkOS only, writes no file, predicts the run and names the missing role', async () => {
    const { input, outDir, expected, badRows } = await prepare(20);
    await env.workos.userManagement.createUser({ email: expected[0]!.email });
    const client = recordingClient(env.emulator);
    const planned = await runClerkMigration({ input, outDir, workos: client.workos, dryRun: true });
    expect(client.writes()).toEqual([]);
    await expect(stat(outDir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(planned).toMatchObject({
      dryRun: true,
      counts: { created: 19, matched: 1, skipped: badRows, failed: 0 },
      missingRoles: ['owner'],
      createdRoles: [],
    });
    const withCreate = await runClerkMigration({
      input,
      outDir,
      workos: client.workos,
      dryRun: true,
      createRoles: true,
    });
    // The role is one more write.
    expect(withCreate).toMatchObject({ createdRoles: ['owner'], writes: planned.writes + 1 });
    await env.workos.authorization.createEnvironmentRole({ slug: 'owner', name: 'Owner' });
    const withRole = await runClerkMigration({
      input,
      outDir,
      workos: client.workos,
      dryRun: true,
    });
    expect(withRole.missingRoles).toEqual([]);
    const run = recordingClient(env.emulator);
    const done = await runClerkMigration({ input, outDir, workos: run.workos });
    expect(done.counts).toEqual(planned.counts);
    expect(done.writes).toBe(planned.writes);
    expect(run.writes()).toHaveLength(planned.writes);
  });

  it('a missing role stops the run before any WorkOS write, naming it', async () => {
    const { input, outDir } = await prepare(6);
    const client = recordingClient(env.emulator);
    const error = await runClerkMigration({ input, outDir, workos: client.workos }).catch(
      (e: unknown) => e,
    );
    expect(isOrgkitError(error) && [error.code, error.reason]).toEqual([
      'invalid_config',
      'missing_roles',
    ]);
    expect((error as Error).message).toContain('owner');
    expect((error as Error).message).toContain('--create-roles');
    expect(client.writes()).toEqual([]);
    // Mapped users of role member only: nothing is missing, the run goes ahead.
    const mapped = await runClerkMigration({
      input,
      outDir: `${outDir}-mapped`,
      workos: client.workos,
      organizations: 'mapped',
    });
    expect(mapped.counts.failed).toBe(0);
  });

  it('createRoles creates the missing roles once, before the memberships that use them', async () => {
    const { input, outDir } = await prepare(6);
    const client = recordingClient(env.emulator);
    const summary = await runClerkMigration({
      input,
      outDir,
      workos: client.workos,
      createRoles: true,
    });
    expect(summary.createdRoles).toEqual(['owner']);
    expect(summary.counts.failed).toBe(0);
    const writes = client.writes();
    expect(writes[0]).toMatchObject({ path: '/authorization/roles', body: { slug: 'owner' } });
    expect(writes.filter((w) => w.path === '/authorization/roles')).toHaveLength(1);
    expect(await roleSlugs()).toEqual(['admin', 'member', 'owner']);
    // A second run finds the role and creates nothing more.
    const again = await runClerkMigration({
      input,
      outDir,
      workos: client.workos,
      createRoles: true,
    });
    expect(again.createdRoles).toEqual([]);
  });

  it('an SDK without the roles API: a clear error naming the roles to create in the dashboard', async () => {
    const { input, outDir } = await prepare(6);
    const client = recordingClient(env.emulator);
    // A client whose authorization module has no createEnvironmentRole, as in an SDK without it.
    const workos = Object.create(client.workos) as typeof client.workos;
    const authorization = client.workos.authorization;
    Object.defineProperty(workos, 'authorization', {
      value: { listEnvironmentRoles: () => authorization.listEnvironmentRoles() },
    });
    const error = await runClerkMigration({ input, outDir, workos, createRoles: true }).catch(
      (e: unknown) => e,
    );
    expect(isOrgkitError(error) && error.reason).toBe('missing_roles');
    expect((error as Error).message).toMatch(/cannot create roles.*owner.*dashboard/);
    expect(client.writes()).toEqual([]);
  });

  it('a key that may not read roles: the run goes on unchecked, as before there was a check', async () => {
    const { input, outDir } = await prepare(6);
    const forbidRoles = ((request: string | URL | Request, init?: RequestInit) =>
      String(request instanceof Request ? request.url : request).includes('/authorization/roles')
        ? Promise.resolve(new Response(JSON.stringify({ message: 'Forbidden' }), { status: 403 }))
        : fetch(request, init)) as typeof fetch;
    const client = recordingClient(env.emulator, { fetch: forbidRoles });
    const summary = await runClerkMigration({ input, outDir, workos: client.workos });
    expect(summary.counts.failed).toBe(0);
    expect(summary.createdRoles).toEqual([]);
  });
});
