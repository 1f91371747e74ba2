import { describe, expectTypeOf, it } from 'vitest';
import type { OrgkitDatabase } from '../../src/db/database.js';
import {
  type AuditChainReport,
  createOrgkit,
  defineAuditEvents,
  type LoggedAuditEvent,
} from '../../src/index.js';

declare const database: OrgkitDatabase;

const events = defineAuditEvents({
  actions: ['meeting.booked', 'patient_record.viewed'],
  resourceTypes: ['meeting', 'patient_record'],
});

describe('audit types', () => {
  it('types actions and resource types from the app’s vocabulary', () => {
    const orgkit = createOrgkit({ database, audit: { events } });
    expectTypeOf(
      orgkit.logAuditEvent('meeting.booked', 'meeting', 'm1'),
    ).resolves.toEqualTypeOf<LoggedAuditEvent>();
    // orgkit's own actions are always accepted.
    orgkit.logAuditEvent('access.denied', 'request', 'GET /x');
    // @ts-expect-error misspelled action
    orgkit.logAuditEvent('meeting.boked', 'meeting', 'm1');
    // @ts-expect-error undeclared resource type
    orgkit.logAuditEvent('meeting.booked', 'meetings', 'm1');
    orgkit.logAuditEvents([
      { action: 'patient_record.viewed', resourceType: 'patient_record', resourceId: 'r1' },
      // @ts-expect-error misspelled action in a batch
      { action: 'patient.viewed', resourceType: 'patient_record', resourceId: 'r1' },
    ]);
  });

  it('accepts any name without a vocabulary', () => {
    const orgkit = createOrgkit({ database });
    orgkit.logAuditEvent('anything.at_all', 'whatever', null);
    expectTypeOf(orgkit.verifyAuditChain()).resolves.toEqualTypeOf<AuditChainReport>();
  });

  it('types the actor and the read permission', () => {
    const orgkit = createOrgkit({ database });
    orgkit.logAuditEvent('x', 'y', '1', null, null, { actor: { system: 'nightly' } });
    // @ts-expect-error an actor is a user or a system job, not both shapes at once
    orgkit.logAuditEvent('x', 'y', '1', null, null, { actor: { name: 'nightly' } });
    // @ts-expect-error not a permission of the default access model
    createOrgkit({ database, audit: { readPermission: 'audit:reed' } });
  });
});
