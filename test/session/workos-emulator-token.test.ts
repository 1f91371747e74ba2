import { WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from 'workos/emulate';
import { createOrgkit } from '../../src/create-orgkit.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { openTestDatabase } from '../support/databases.js';
import { expectRejected } from './support.js';

const clientId = 'client_orgkit_session_test';
let emulator: Emulator;
let workos: WorkOS;
let database: TestDatabase;

beforeAll(async () => {
  emulator = await createEmulator({
    port: 0,
    seed: {
      permissions: [{ slug: 'posts:write', name: 'Write posts' }],
      roles: [{ slug: 'editor', name: 'Editor', permissions: ['posts:write'] }],
    },
  });
  workos = new WorkOS(emulator.apiKey, {
    apiHostname: 'localhost',
    port: emulator.port,
    https: false,
    clientId,
  });
  database = await openTestDatabase({ url: process.env.DATABASE_URL });
});
afterAll(async () => {
  await database?.close();
  await emulator?.close();
});
beforeEach(() => emulator.reset());

async function signIn(email: string) {
  await workos.userManagement.createUser({ email, password: 'correct horse battery staple' });
  return workos.userManagement.authenticateWithPassword({
    email,
    password: 'correct horse battery staple',
    clientId,
  });
}

describe('verifying tokens the WorkOS emulator issued', () => {
  it('verifies a real access token through createOrgkit with the default JWKS URL', async () => {
    const auth = await signIn('ada@example.com');
    const orgkit = createOrgkit({
      database: database.db,
      workos,
      clientId,
      session: { issuers: [emulator.url] },
    });
    const session = await orgkit.verifyAccessToken(auth.accessToken);
    expect(session.userId).toBe(auth.user.id);
    expect(session.sessionId).toMatch(/^session_/);
    expect(session.organizationId).toBeUndefined();
    expect(session.claims.aud).toBe(clientId);
    await orgkit.close();
  });

  it('maps the organization, role and permissions of an org-scoped token', async () => {
    const auth = await signIn('grace@example.com');
    const org = await workos.organizations.createOrganization({ name: 'Acme' });
    await workos.userManagement.createOrganizationMembership({
      userId: auth.user.id,
      organizationId: org.id,
      roleSlug: 'editor',
    });
    const scoped = await workos.userManagement.authenticateWithRefreshToken({
      refreshToken: auth.refreshToken,
      organizationId: org.id,
      clientId,
    });
    const orgkit = createOrgkit({
      database: database.db,
      workos,
      clientId,
      session: { issuers: [emulator.url], audience: clientId },
    });
    const session = await orgkit.verifyAccessToken(scoped.accessToken);
    expect(session).toMatchObject({
      userId: auth.user.id,
      organizationId: org.id,
      role: 'editor',
      roles: ['editor'],
      permissions: ['posts:write'],
    });
    await orgkit.close();
  });

  it('rejects an emulator token when the configured issuer is WorkOS production', async () => {
    const auth = await signIn('linus@example.com');
    const orgkit = createOrgkit({ database: database.db, workos, clientId });
    await expectRejected(
      orgkit.verifyAccessToken(auth.accessToken),
      'issuer_mismatch',
      auth.accessToken,
    );
    await orgkit.close();
  });
});
