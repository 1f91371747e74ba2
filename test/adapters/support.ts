import { WorkOS } from '@workos-inc/node';
import type { Orgkit } from '../../src/index.js';
import { createOrgkit, defineAccessControl } from '../../src/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import type { TestTokenIssuer } from '../../src/testing/token-issuer.js';

/** The access model every adapter test uses: names chosen so app and org roles never collide. */
export const accessControl = defineAccessControl({
  permissions: ['posts:read', 'posts:write', 'users:manage', 'billing:manage'],
  appRoles: {
    user: ['posts:read'],
    editor: ['posts:read', 'posts:write'],
    admin: ['posts:read', 'posts:write', 'users:manage'],
  },
  orgRoles: {
    member: ['posts:read'],
    billing_admin: ['billing:manage'],
  },
});

export type TestAccessControl = typeof accessControl;
export type TestOrgkit = Orgkit<TestAccessControl>;

export const WEBHOOK_SECRET = 'whsec_orgkit_adapter_tests';

/** An orgkit trusting `tokens`, with the verified-token cache on as in production. */
export function orgkitFor(
  database: TestDatabase,
  tokens: TestTokenIssuer,
  audit: { logDeniedRequests?: boolean } = {},
): TestOrgkit {
  return createOrgkit({
    database: database.db,
    accessControl,
    // Webhook verification goes through the SDK; these tests never reach the network with it.
    workos: new WorkOS('sk_test_adapters', { apiHostname: '127.0.0.1', port: 9, https: false }),
    session: {
      jwksUrl: tokens.jwksUrl,
      issuers: [tokens.issuer],
      verifiedTokenCache: { max: 5_000 },
    },
    webhooks: { secret: WEBHOOK_SECRET },
    audit,
  });
}

/** A `users` row, as sign-up or a `user.created` webhook would have written it. */
export async function addUser(
  orgkit: TestOrgkit,
  userId: string,
  role: 'user' | 'editor' | 'admin',
) {
  await orgkit.database
    .insert(orgkit.tables.users)
    .values({ workosUserId: userId, email: `${userId}@example.com`, role });
}

/**
 * What a protected route reports about its request, read the way app code reads it: from the
 * request scope, after awaiting, with no parameters.
 */
export async function whoAmI(orgkit: TestOrgkit, delayMs = 1) {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  await Promise.resolve();
  const scope = orgkit.getRequestScope();
  return {
    scopeUserId: orgkit.requireAuth().userId,
    requestId: scope?.requestId,
    ipAddress: scope?.ipAddress,
    userAgent: scope?.userAgent,
  };
}

/**
 * What the contract's `/api/meetings/:id` handlers do: wait (so concurrent requests interleave),
 * then record that the meeting was viewed, passing neither user, organization, IP nor user agent.
 */
export async function recordMeetingViewed(orgkit: TestOrgkit, meetingId: string, delayMs = 0) {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const event = await orgkit.logAuditEvent('meeting.viewed', 'meeting', meetingId);
  return { eventId: event.id };
}

/** A signed WorkOS webhook delivery, as WorkOS sends it. */
export async function signedWebhook(event: Record<string, unknown>, secret = WEBHOOK_SECRET) {
  const body = JSON.stringify(event);
  const timestamp = Date.now();
  // computeSignature needs no network; the client is only its home.
  const signature = await new WorkOS('sk_test_signing_only').webhooks.computeSignature(
    timestamp,
    body as never,
    secret,
  );
  return { body, header: `t=${timestamp}, v1=${signature}` };
}

/** A membership event in WorkOS's wire format. */
export function membershipCreated(userId: string, organizationId: string, role: string) {
  const now = new Date().toISOString();
  return {
    id: `event_${crypto.randomUUID().replaceAll('-', '').slice(0, 26).toUpperCase()}`,
    event: 'organization_membership.created',
    created_at: now,
    data: {
      object: 'organization_membership',
      id: `om_${crypto.randomUUID().replaceAll('-', '').slice(0, 26).toUpperCase()}`,
      user_id: userId,
      organization_id: organizationId,
      role: { slug: role },
      roles: [{ slug: role }],
      status: 'active',
      created_at: now,
      updated_at: now,
    },
  };
}

/** Emulator roles mirroring the access model's `billing_admin` organization role. */
export const EMULATOR_SEED = {
  permissions: [{ slug: 'billing:manage', name: 'Manage billing' }],
  roles: [{ slug: 'billing_admin', name: 'Billing admin', permissions: ['billing:manage'] }],
};

/**
 * Signs a new emulator user in as a billing admin of a new organization and returns the
 * organization-scoped result: the user and an access token carrying `org_id`, `role` and
 * `permissions`, as WorkOS issues it after organization selection.
 */
export async function signInAsBillingAdmin(workos: WorkOS, clientId: string, email: string) {
  const password = 'correct horse battery staple';
  const user = await workos.userManagement.createUser({ email, password });
  const org = await workos.organizations.createOrganization({ name: 'Acme' });
  await workos.userManagement.createOrganizationMembership({
    userId: user.id,
    organizationId: org.id,
    roleSlug: 'billing_admin',
  });
  const first = await workos.userManagement.authenticateWithPassword({ email, password, clientId });
  return workos.userManagement.authenticateWithRefreshToken({
    refreshToken: first.refreshToken,
    organizationId: org.id,
    clientId,
  });
}

/** Asserts that no long segment of `token` appears in `text`. */
export function leaksNothingOf(token: string, text: string): boolean {
  return token
    .split('.')
    .filter((segment) => segment.length > 8)
    .every((segment) => !text.includes(segment));
}
