import { describe, expectTypeOf, it } from 'vitest';
import type { OrgkitDatabase } from '../../src/db/database.js';
import {
  createOrgkit,
  defineAccessControl,
  type GuestUser,
  type MeetingGuest,
} from '../../src/index.js';

declare const database: OrgkitDatabase;

const accessControl = defineAccessControl({
  permissions: ['posts:read'],
  appRoles: { reader: ['posts:read'] },
  orgRoles: { owner: [], member: [] },
});

describe('guest provisioning types', () => {
  it('types ownerRole from the access model', () => {
    createOrgkit({ database, accessControl, guests: { ownerRole: 'member' } });
    // @ts-expect-error 'reader' is an app role, not an organization role
    createOrgkit({ database, accessControl, guests: { ownerRole: 'reader' } });
  });

  it('returns the documented shapes', () => {
    const orgkit = createOrgkit({ database, accessControl });
    expectTypeOf(
      orgkit.createOrGetGuestUser({ email: 'a@example.com' }),
    ).resolves.toEqualTypeOf<GuestUser>();
    expectTypeOf(
      orgkit.provisionMeetingGuest({ guestEmail: 'a@example.com' }),
    ).resolves.toEqualTypeOf<MeetingGuest>();
    // @ts-expect-error email is required
    orgkit.createOrGetGuestUser({ firstName: 'Ada' });
    // @ts-expect-error metadata values are strings
    orgkit.createOrGetGuestUser({ email: 'a@example.com', metadata: { visits: 3 } });
  });
});
