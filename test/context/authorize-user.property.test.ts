import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orgkit } from '../../src/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { openOrgkit, outcome, ROLES, snapshot, USER_ACTIONS, USERS } from './support.js';

// A user with no row holds the default role and cannot have a role set.
const GHOST = 'user_ghost';
const ORG_ROLES = [undefined, 'owner', 'admin', 'member', 'billing_admin'] as const;

const call = fc.record({
  action: fc.constantFrom(...USER_ACTIONS),
  scope: fc.constantFrom('none', 'anonymous', 'session'),
  sessionUser: fc.constantFrom(...USERS, GHOST),
  orgRole: fc.constantFrom(...ORG_ROLES),
  // 'self' (the session's own id, named) comes up as often as omitting the id or naming another.
  target: fc.oneof(
    fc.constant('self' as const),
    fc.constant(undefined),
    fc.constantFrom(...USERS, GHOST),
  ),
  withActor: fc.boolean(),
});
type Generated = typeof call extends fc.Arbitrary<infer T> ? T : never;
type Call = Omit<Generated, 'target'> & { target: string | undefined };

const resolve = (g: Generated): Call => ({
  ...g,
  target: g.target === 'self' ? g.sessionUser : g.target,
});

/** What the rule says a call must end with, worked out apart from orgkit's code. */
function expected(orgkit: Orgkit, c: Call): string {
  const { action } = c;
  if (c.target === undefined && action.evenForSelf) return 'invalid_input'; // the id is required
  let allowed: boolean;
  if (c.scope === 'session') {
    if (c.withActor) return 'invalid_input';
    const ac = orgkit.accessControl;
    const granted = new Set<string>([
      ...ac.permissionsOf(ROLES[c.sessionUser] ?? ac.defaultRole, 'app'),
      ...(c.orgRole ? ac.permissionsOf(c.orgRole, 'org') : []),
    ]);
    const target = c.target ?? c.sessionUser;
    const needed = target !== c.sessionUser || action.evenForSelf;
    if (needed && !granted.has(action.permission)) return 'forbidden';
    allowed = true;
  } else {
    if (c.target === undefined) return 'unauthenticated';
    if (!c.withActor) return c.scope === 'none' ? 'forbidden' : 'unauthenticated';
    allowed = true;
  }
  const target = c.target ?? c.sessionUser;
  return allowed && action.name === 'setUserRole' && !(target in ROLES) ? 'not_found' : 'accepted';
}

function run(orgkit: Orgkit, c: Call): Promise<string> {
  const options = c.withActor ? { actor: { system: 'property-job' } } : undefined;
  const act = () => c.action.call(orgkit, c.target, options);
  if (c.scope === 'none') return outcome(act);
  const session =
    c.scope === 'session'
      ? sessionFor(c.sessionUser, {
          organizationId: 'org_1',
          ...(c.orgRole ? { role: c.orgRole } : {}),
        })
      : undefined;
  return outcome(() => orgkit.runWithRequestScope({ session }, act));
}

describe.each(DATABASE_TARGETS)('the user-id rule, over generated calls, on $name', (target) => {
  let database: TestDatabase;
  let orgkit: Orgkit;
  beforeAll(async () => {
    database = await openTestDatabase(target);
    orgkit = await openOrgkit(database);
  });
  afterAll(async () => {
    await orgkit?.close();
    await database?.close();
  });

  it('answers as the rule says for any session, permission, target and actor; a refusal changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(call.map(resolve), async (c) => {
        const want = expected(orgkit, c);
        const before = want === 'accepted' ? undefined : await snapshot(database.db);
        const got = await run(orgkit, c);
        expect({ action: c.action.name, got }).toEqual({ action: c.action.name, got: want });
        if (before) expect(await snapshot(database.db)).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });
});
