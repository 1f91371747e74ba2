import { createHmac } from 'node:crypto';
import { WorkOS } from '@workos-inc/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOrgkit, type OrgkitConfig } from '../../src/create-orgkit.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { buildHonoApp } from '../adapters/hono-app.js';
import {
  accessControl,
  addUser,
  membershipCreated,
  signedWebhook,
  WEBHOOK_SECRET,
} from '../adapters/support.js';
import { openOrgkit, setupEmulator } from '../guests/support.js';
import { openTestDatabase } from '../support/databases.js';
import {
  counterValue,
  gaugeValues,
  histogramCount,
  type InstalledOpenTelemetry,
  installOpenTelemetry,
  onlySpan,
  spanTree,
} from './support.js';

const env = setupEmulator();
let otel: InstalledOpenTelemetry;
let tokens: TestTokenIssuer;
let database: TestDatabase;

beforeAll(async () => {
  tokens = await createTestTokenIssuer();
  database = await openTestDatabase({ url: undefined });
});
afterAll(async () => {
  await database?.close();
  await tokens?.close();
});
beforeEach(() => {
  otel = installOpenTelemetry();
});
afterEach(() => otel.uninstall());

function clinicOrgkit(telemetry?: OrgkitConfig['telemetry']) {
  return createOrgkit({
    database: database.db,
    accessControl,
    workos: new WorkOS('sk_test_telemetry', { apiHostname: '127.0.0.1', port: 9, https: false }),
    session: { jwksUrl: tokens.jwksUrl, issuers: [tokens.issuer] },
    webhooks: { secret: WEBHOOK_SECRET },
    ...(telemetry === undefined ? {} : { telemetry }),
  });
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const SHOW = [
  'orgkit.decision',
  'orgkit.decision.reason',
  'orgkit.cache.hit',
  'orgkit.audit.action',
];

describe('spans and metrics of a request', () => {
  it('a guarded request: verification with its JWKS read and the user record, then the guard decision, under the app span', async () => {
    const orgkit = clinicOrgkit();
    await addUser(orgkit, 'user_tel_editor', 'editor');
    const { app } = buildHonoApp(orgkit, { getRemoteAddress: () => '203.0.113.9' });
    const token = await tokens.mint({ sub: 'user_tel_editor' });
    const response = await otel.inAppSpan('GET /api/staff', () =>
      Promise.resolve(app.request('/api/staff', bearer(token))),
    );
    expect(response.status).toBe(200);
    const spans = otel.spans();
    expect(spanTree(spans, onlySpan(spans, 'GET /api/staff'), SHOW)).toEqual([
      'GET /api/staff',
      '  orgkit.session.verify orgkit.cache.hit=false',
      '    orgkit.session.jwks_fetch',
      // The revocation check reads the user's record, which the guard then finds cached.
      '    orgkit.roles.query',
      '  orgkit.guard orgkit.decision=allowed orgkit.decision.reason=granted',
    ]);
    const verify = onlySpan(spans, 'orgkit.session.verify');
    expect(verify.attributes['user.id']).toBe('user_tel_editor');
    expect(verify.instrumentationScope).toMatchObject({ name: 'orgkit' });
    // No client IP unless `clientIp` is on.
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('203.0.113.9');

    // The second request is answered from the caches: no JWKS read, no query.
    otel.reset();
    await app.request('/api/staff', bearer(token));
    expect(otel.spans().map((s) => s.name)).toEqual(['orgkit.session.verify', 'orgkit.guard']);
    const metrics = await otel.metrics();
    expect(counterValue(metrics, 'orgkit.access.decisions', { 'orgkit.decision': 'allowed' })).toBe(
      2,
    );
    expect(
      counterValue(metrics, 'orgkit.session.jwks_fetches', { 'orgkit.outcome': 'success' }),
    ).toBe(1);
    expect(histogramCount(metrics, 'orgkit.session.verify.duration')).toBe(2);
  });

  it('a route reading access itself: the resolution span says whether the roles were cached, with the query as its child on a miss', async () => {
    const orgkit = clinicOrgkit();
    await addUser(orgkit, 'user_tel_roles', 'editor');
    await otel.inAppSpan('job', () => orgkit.getAccess('user_tel_roles'));
    await otel.inAppSpan('job', () => orgkit.getAccess('user_tel_roles'));
    const spans = otel.spans();
    const [first, second] = spans.filter((s) => s.name === 'job');
    expect(spanTree(spans, first!, SHOW)).toEqual([
      'job',
      '  orgkit.access.resolve orgkit.cache.hit=false',
      '    orgkit.roles.query',
    ]);
    expect(spanTree(spans, second!, SHOW)).toEqual([
      'job',
      '  orgkit.access.resolve orgkit.cache.hit=true',
    ]);
    expect(onlySpan(spans, 'orgkit.roles.query').attributes['db.system.name']).toBe('postgresql');
    expect(histogramCount(await otel.metrics(), 'orgkit.access.resolve.duration')).toBe(2);
  });

  it('denied requests: the guard says why, the access.denied audit write is traced, and denials are counted by reason', async () => {
    const orgkit = clinicOrgkit({ clientIp: true });
    await addUser(orgkit, 'user_tel_reader', 'user');
    const { app } = buildHonoApp(orgkit, { getRemoteAddress: () => '203.0.113.9' });
    const token = await tokens.mint({ sub: 'user_tel_reader' });
    const denied = await otel.inAppSpan('GET /api/admin', () =>
      Promise.resolve(app.request('/api/admin', bearer(token))),
    );
    expect(denied.status).toBe(403);
    await app.request('/api/billing', bearer(token));
    await app.request('/api/staff'); // no credentials at all
    const spans = otel.spans();
    expect(spanTree(spans, onlySpan(spans, 'GET /api/admin'), SHOW)).toEqual([
      'GET /api/admin',
      '  orgkit.session.verify orgkit.cache.hit=false',
      '    orgkit.session.jwks_fetch',
      '    orgkit.roles.query',
      '  orgkit.guard orgkit.decision=denied orgkit.decision.reason=missing_role',
      '  orgkit.audit.write orgkit.audit.action=access.denied',
    ]);
    const guard = spans.find((s) => s.attributes['orgkit.decision.reason'] === 'missing_role')!;
    // A denial is a decision, not a failure of orgkit.
    expect(guard.status.code).toBe(0);
    expect(guard.attributes['client.address']).toBe('203.0.113.9');
    const metrics = await otel.metrics();
    const denials = (reason: string) =>
      counterValue(metrics, 'orgkit.access.decisions', {
        'orgkit.decision': 'denied',
        'orgkit.decision.reason': reason,
      });
    expect([denials('missing_role'), denials('missing_permission'), denials('no_session')]).toEqual(
      [1, 1, 1],
    );
    expect(counterValue(metrics, 'orgkit.access.decisions', { 'orgkit.decision': 'allowed' })).toBe(
      0,
    );
    expect(
      counterValue(metrics, 'orgkit.audit.events_written', {
        'orgkit.audit.action': 'access.denied',
      }),
    ).toBe(2);
  });

  it('a webhook applied: its event type and outcome, with the membership audit write inside', async () => {
    const orgkit = clinicOrgkit();
    await addUser(orgkit, 'user_tel_member', 'user');
    const event = membershipCreated('user_tel_member', 'org_tel_1', 'member');
    const { body, header } = await signedWebhook(event);
    const result = await orgkit.handleWorkOSWebhook(body, header);
    expect(result.applied).toBe(true);
    const spans = otel.spans();
    const webhook = onlySpan(spans, 'orgkit.sync.webhook');
    expect(webhook.attributes).toMatchObject({
      'orgkit.sync.event': 'organization_membership.created',
      'orgkit.sync.applied': true,
    });
    expect(spanTree(spans, webhook, SHOW)).toEqual([
      'orgkit.sync.webhook',
      '  orgkit.audit.write orgkit.audit.action=membership.created',
    ]);
  });

  it('an audit verification: how many events were checked and whether every chain holds', async () => {
    const orgkit = clinicOrgkit();
    await orgkit.logAuditEvent('meeting.viewed', 'meeting', 'm_1', null, null, {
      actor: { system: 'telemetry-test' },
    });
    const report = await orgkit.verifyAuditChain();
    const verify = onlySpan(otel.spans(), 'orgkit.audit.verify');
    expect(verify.attributes).toMatchObject({
      'orgkit.audit.chain.valid': true,
      'orgkit.audit.chain.events_checked': report.eventsChecked,
    });
    expect(report.eventsChecked).toBeGreaterThan(0);
  });

  it('gauges: the WorkOS outbox after a drain, and how far behind WorkOS the mirror was', async () => {
    // Forwarding to an unreachable WorkOS leaves the event waiting: depth 1, its age measured.
    const forwarding = createOrgkit({
      database: database.db,
      accessControl,
      workos: new WorkOS('sk_test_telemetry', { apiHostname: '127.0.0.1', port: 9, https: false }),
      session: { jwksUrl: tokens.jwksUrl, issuers: [tokens.issuer] },
      audit: { forwardToWorkOS: true },
    });
    await database.db.delete(forwarding.tables.auditOutbox);
    await forwarding.logAuditEvent('meeting.viewed', 'meeting', 'm_gauge', null, null, {
      actor: { system: 'telemetry-test' },
      organizationId: 'org_tel_gauge',
    });
    const drained = await forwarding.forwardAuditEvents();
    expect(drained.sent).toBe(0);
    let metrics = await otel.metrics();
    expect(gaugeValues(metrics, 'orgkit.audit.outbox.depth')).toEqual([1]);
    const [age] = gaugeValues(metrics, 'orgkit.audit.outbox.oldest_age');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);
    await database.db.delete(forwarding.tables.auditOutbox);

    // Events made in WorkOS just now, applied by an Events API sync: a lag of seconds, not more.
    const { orgkit } = openOrgkit(env.emulator, database.db);
    const workos = env.emulator.createClient();
    const org = await workos.organizations.createOrganization({ name: 'Gauge Clinic' });
    const user = await workos.userManagement.createUser({ email: 'gauge@example.com' });
    await workos.userManagement.createOrganizationMembership({
      userId: user.id,
      organizationId: org.id,
    });
    const synced = await orgkit.syncWorkOSEvents();
    expect(synced.applied).toBeGreaterThan(0);
    metrics = await otel.metrics();
    const lags = gaugeValues(metrics, 'orgkit.sync.lag');
    expect(lags).toHaveLength(1);
    expect(lags[0]).toBeGreaterThanOrEqual(0);
    expect(lags[0]).toBeLessThan(60);
  });

  it('records nothing with telemetry: false, and no user id with ids: drop', async () => {
    const off = clinicOrgkit(false);
    await addUser(off, 'user_tel_off', 'editor');
    const token = await tokens.mint({ sub: 'user_tel_off' });
    await off.verifyAccessToken(token);
    await off.getAccess('user_tel_off');
    expect(otel.spans()).toEqual([]);
    expect(counterValue(await otel.metrics(), 'orgkit.session.jwks_fetches')).toBe(0);

    const dropped = clinicOrgkit({ ids: 'drop' });
    await dropped.verifyAccessToken(token);
    const hashed = clinicOrgkit({ ids: 'hash', idHashKey: 'k'.repeat(32) });
    await hashed.verifyAccessToken(token);
    const [droppedSpan, hashedSpan] = otel
      .spans()
      .filter((s) => s.name === 'orgkit.session.verify');
    expect(droppedSpan!.attributes['user.id']).toBeUndefined();
    expect(hashedSpan!.attributes['user.id']).toMatch(/^[0-9a-f]{32}$/);
    // The same hash as node:crypto's HMAC (orgkit hashes in JavaScript for the edge runtime), so
    // hashed ids stay the same across versions and runtimes.
    const expected = createHmac('sha256', 'k'.repeat(32)).update('user_tel_off').digest('hex');
    expect(hashedSpan!.attributes['user.id']).toBe(expected.slice(0, 32));
  });
});

describe('spans of a guest provisioning', () => {
  it('a 429 and a lost answer: each WorkOS call a span, the retry and the look-up that found the lost create as events', async () => {
    const t = await openTestDatabase({ url: undefined });
    try {
      const { orgkit } = openOrgkit(env.emulator, t.db, {
        faults: {
          faults: [
            {
              fault: 'rate_limit',
              retryAfterSeconds: 0,
              method: 'POST',
              path: '/organizations',
              calls: [1],
            },
            {
              fault: 'connection_reset',
              deliver: true,
              method: 'POST',
              path: '/user_management/organization_memberships',
              calls: [1],
            },
          ],
        },
      });
      const guest = await orgkit.createOrGetGuestUser({ email: 'tel.guest@example.com' });
      expect(guest.created).toBe(true);
      const spans = otel.spans();
      const provision = onlySpan(spans, 'orgkit.guests.provision');
      expect(provision.attributes['orgkit.result']).toBe('created');
      const calls = spans.filter(
        (s) =>
          s.name === 'orgkit.workos.call' &&
          s.parentSpanContext?.spanId === provision.spanContext().spanId,
      );
      const eventsOf = (operation: string) =>
        calls
          .find((s) => s.attributes['orgkit.workos.operation'] === operation)!
          .events.map((e) =>
            e.name === 'retry' && e.attributes?.['http.response.status_code'] !== undefined
              ? `retry ${e.attributes['http.response.status_code']}`
              : e.name === 'lookup'
                ? `lookup found=${e.attributes?.['orgkit.workos.found']}`
                : e.name,
          );
      expect(eventsOf('createOrGetGuestUser: user')).toEqual(['lookup found=false', 'create']);
      expect(eventsOf('createOrGetGuestUser: organization')).toEqual(['retry 429', 'create']);
      expect(eventsOf('createOrGetGuestUser: membership')).toEqual(['retry', 'lookup found=true']);
      const metrics = await otel.metrics();
      expect(
        counterValue(metrics, 'orgkit.guests.provisionings', { 'orgkit.result': 'created' }),
      ).toBe(1);
      expect(
        counterValue(metrics, 'orgkit.workos.calls', { 'http.response.status_code': 429 }),
      ).toBe(1);
      expect(
        counterValue(metrics, 'orgkit.workos.calls', { 'orgkit.outcome': 'network_error' }),
      ).toBe(1);

      // The same guest again: returning, no WorkOS call.
      otel.reset();
      const again = await orgkit.createOrGetGuestUser({ email: 'tel.guest@example.com' });
      expect(again.created).toBe(false);
      expect(otel.spans().filter((s) => s.name === 'orgkit.workos.call')).toEqual([]);
      expect(
        counterValue(await otel.metrics(), 'orgkit.guests.provisionings', {
          'orgkit.result': 'returning',
        }),
      ).toBe(1);
    } finally {
      await t.close();
    }
  });
});
