import { RateLimitExceededException } from '@workos-inc/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importPeer } from '../../src/config/import-peer.js';
import { startWorkOSEmulator, type WorkOSEmulator } from '../../src/testing/emulator.js';
import { createFaultyFetch } from '../../src/testing/fault-fetch.js';
import { createWorkOSTestClient } from '../../src/testing/workos-client.js';

let emulator: WorkOSEmulator;

beforeAll(async () => {
  emulator = await startWorkOSEmulator({ clientId: 'client_orgkit_helpers' });
});
afterAll(() => emulator?.close());
beforeEach(() => emulator.reset());

/** SDK 10.8+ retries 408/429/5xx and network errors itself; older majors do not retry these. */
function sdkRetries(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 10 || (major === 10 && minor >= 8);
}

describe('startWorkOSEmulator', () => {
  it('runs the emulator on a free port and hands out real SDK clients', async () => {
    expect(emulator.port).toBeGreaterThan(0);
    expect(emulator.url).toBe(`http://${emulator.hostname}:${emulator.port}`);
    expect(emulator.clientId).toBe('client_orgkit_helpers');
    const workos = emulator.createClient();
    const user = await workos.userManagement.createUser({ email: 'ada@example.com' });
    const listed = await workos.userManagement.listUsers({ email: 'ada@example.com' });
    expect(listed.data.map((u) => u.id)).toEqual([user.id]);
    expect(workos.userManagement.getJwksUrl(emulator.clientId)).toBe(
      `${emulator.url}/sso/jwks/${emulator.clientId}`,
    );
  });

  it('reset() forgets what the previous test created', async () => {
    const workos = emulator.createClient();
    await workos.userManagement.createUser({ email: 'grace@example.com' });
    emulator.reset();
    expect((await workos.userManagement.listUsers()).data).toEqual([]);
  });

  it('createWorkOSTestClient reaches the emulator from its URL and API key alone', async () => {
    const workos = await createWorkOSTestClient({ url: emulator.url, apiKey: emulator.apiKey });
    const org = await workos.organizations.createOrganization({ name: 'Acme' });
    expect((await workos.organizations.getOrganization(org.id)).name).toBe('Acme');
  });

  it('rejects bad options with invalid_input naming the key', async () => {
    await expect(createWorkOSTestClient({ url: 'not a url', apiKey: 'k' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/url/),
    });
    await expect(createWorkOSTestClient({ url: emulator.url })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/apiKey/),
    });
    await expect(startWorkOSEmulator({ clientId: '' } as never)).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
  it('an absent optional package is a missing_dependency naming it', async () => {
    await expect(
      importPeer('orgkit-test-absent-package', 'startWorkOSEmulator'),
    ).rejects.toMatchObject({
      code: 'missing_dependency',
      message:
        'install "orgkit-test-absent-package" to use startWorkOSEmulator: npm install orgkit-test-absent-package',
    });
  });
});

describe('createFaultyFetch through the real SDK against the emulator', () => {
  it('the SDK surfaces an injected 429 as RateLimitExceededException with its Retry-After', async () => {
    const fetchFn = createFaultyFetch({
      faults: { fault: 'rate_limit', calls: [1], retryAfterSeconds: 7 },
    });
    const workos = emulator.createClient({ fetchFn, maxRetries: 0 });
    const error = await workos.userManagement.listUsers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitExceededException);
    expect(error).toMatchObject({ status: 429, retryAfter: 7 });
    expect((await workos.userManagement.listUsers()).data).toEqual([]);
    expect(fetchFn.calls).toBe(2);
  });

  it('a rateLimit window of 2 requests refuses the third with RateLimitExceededException', async () => {
    const fetchFn = createFaultyFetch({ rateLimit: { limit: 2, windowMs: 60_000 } });
    const workos = emulator.createClient({ fetchFn, maxRetries: 0 });
    await workos.userManagement.createUser({ email: 'a@example.com' });
    await workos.userManagement.createUser({ email: 'b@example.com' });
    const error = await workos.userManagement
      .createUser({ email: 'c@example.com' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, retryAfter: 60 });
    expect((await emulator.createClient().userManagement.listUsers()).data).toHaveLength(2);
  });

  it('a 503 is retried by SDKs that retry (10.8+), and surfaced by the others', async () => {
    const fetchFn = createFaultyFetch({
      faults: { fault: 'service_unavailable', calls: [1], retryAfterSeconds: 0 },
    });
    const workos = emulator.createClient({ fetchFn });
    if (sdkRetries(workos.version)) {
      expect((await workos.userManagement.listUsers()).data).toEqual([]);
      expect(fetchFn.calls).toBe(2);
    } else {
      await expect(workos.userManagement.listUsers()).rejects.toMatchObject({ status: 503 });
      expect(fetchFn.calls).toBe(1);
    }
    expect(fetchFn.faults.service_unavailable).toBe(1);
  });

  it('a connection reset reaches the caller with its ECONNRESET cause when retries are off', async () => {
    const fetchFn = createFaultyFetch({ faults: { fault: 'connection_reset', calls: [1] } });
    const workos = emulator.createClient({ fetchFn, maxRetries: 0 });
    const error = await workos.organizations.listOrganizations().catch((e: unknown) => e);
    expect(error).toMatchObject({
      cause: { message: 'fetch failed', cause: { code: 'ECONNRESET' } },
    });
  });

  it('a request that never answers ends in the SDK timeout', async () => {
    const fetchFn = createFaultyFetch({ faults: { fault: 'timeout', calls: [1] } });
    const workos = emulator.createClient({ fetchFn, maxRetries: 0, timeout: 50 });
    await expect(workos.userManagement.listUsers()).rejects.toMatchObject({ status: 408 });
    expect(fetchFn.faults.timeout).toBe(1);
  });
});
