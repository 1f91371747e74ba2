// Permission and role checks on a resolved principal (orgkit getAccess) against CASL's
// ability.can and casbin's enforcer, for the same RBAC model and the same user.
import { createMongoAbility } from '@casl/ability';
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { do_not_optimize, measure } from 'mitata';
import { RequestScopeStore } from '../src/context/index.js';
import { createOrgkitTables } from '../src/db/tables.js';
import { defaultAccessControl as ac, createRoles } from '../src/roles/index.js';
import { createTestDatabase } from '../src/testing/database.js';
import { machineLine, reportTarget } from './support.js';

console.log(machineLine());

// The user: app role expert_top, owner of one organization.
const USER = 'user_bench';
const APP_ROLE = 'expert_top';
const ORG_ROLE = 'owner';
const t = await createTestDatabase();
const tables = createOrgkitTables();
await t.db
  .insert(tables.users)
  .values({ workosUserId: USER, email: 'bench@example.com', role: APP_ROLE });
await t.db.insert(tables.userOrgMemberships).values({
  workosMembershipId: 'om_bench',
  workosUserId: USER,
  workosOrgId: 'org_bench',
  role: ORG_ROLE,
  roles: [ORG_ROLE],
});
const roles = createRoles({
  db: t.db,
  tables,
  accessControl: ac,
  scope: new RequestScopeStore(),
  cache: { ttlMs: 60_000, max: 1_000 },
});
const access = await roles.getAccess(USER);

// CASL: the same grants as rules, `meetings:write` → can('write', 'meetings').
const split = (permission: string) => permission.split(':') as [string, string];
const granted = [...ac.permissionsOf(APP_ROLE, 'app'), ...ac.permissionsOf(ORG_ROLE, 'org')];
const ability = createMongoAbility(
  granted.map((p) => ({ action: split(p)[1], subject: split(p)[0] })),
);

// casbin: RBAC model, one policy line per role grant, the user linked to both roles.
const model = newModelFromString(`
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`);
const policy = [
  ...ac.appRoles.flatMap((role) =>
    [...ac.permissionsOf(role, 'app')].map((p) => `p, app:${role}, ${split(p)[0]}, ${split(p)[1]}`),
  ),
  ...ac.orgRoles.flatMap((role) =>
    [...ac.permissionsOf(role, 'org')].map((p) => `p, org:${role}, ${split(p)[0]}, ${split(p)[1]}`),
  ),
  `g, ${USER}, app:${APP_ROLE}`,
  `g, ${USER}, org:${ORG_ROLE}`,
].join('\n');
const enforcer = await newEnforcer(model, new StringAdapter(policy));

// Every permission and every role of the model, granted and denied mixed, so a shared check
// function sees many names, as in an app, and no single answer is loop-invariant.
const permissions = ac.permissions;
const roleNames = [...new Set([...ac.appRoles, ...ac.orgRoles])];
// CASL and casbin get the same questions already split into parallel arrays, so every loop does
// the same surrounding work (an indexed read per argument) and none pays for destructuring.
const subjects = permissions.map((p) => split(p)[0]);
const actions = permissions.map((p) => split(p)[1]);
const expected = permissions.map((p) => access.hasPermission(p)).join();
for (const [name, answer] of [
  ['CASL', permissions.map((_, i) => ability.can(actions[i]!, subjects[i]!)).join()],
  ['casbin', permissions.map((_, i) => enforcer.enforceSync(USER, subjects[i], actions[i])).join()],
] as const) {
  if (answer !== expected)
    throw new Error(`${name} disagrees with orgkit: ${answer} ≠ ${expected}`);
}
if (!expected.includes('true') || !expected.includes('false'))
  throw new Error('one-sided questions');

const grantedSet = new Set<string>(access.permissions);
// One op asks every question once: mitata's per-op overhead (a few ns, as much as a check)
// is spread over a dozen checks instead of being billed to each.
const paths: Record<string, () => unknown> = {
  'orgkit access.hasPermission': () => {
    let yes = 0;
    for (let i = 0; i < permissions.length; i++) if (access.hasPermission(permissions[i]!)) yes++;
    return yes;
  },
  'orgkit access.hasRole': () => {
    let yes = 0;
    for (let i = 0; i < roleNames.length; i++) if (access.hasRole(roleNames[i]!)) yes++;
    return yes;
  },
  'CASL ability.can': () => {
    let yes = 0;
    for (let i = 0; i < subjects.length; i++) if (ability.can(actions[i]!, subjects[i]!)) yes++;
    return yes;
  },
  // Not orgkit: the floor of any string-keyed check, a bare Set look-up of the granted names that
  // cannot tell a denied name from a misspelled one (orgkit must: unknown names throw).
  'reference: bare Set.has': () => {
    let yes = 0;
    for (let i = 0; i < permissions.length; i++) if (grantedSet.has(permissions[i]!)) yes++;
    return yes;
  },
  'casbin enforceSync': () => {
    let yes = 0;
    for (let i = 0; i < subjects.length; i++) {
      if (enforcer.enforceSync(USER, subjects[i], actions[i])) yes++;
    }
    return yes;
  },
};
const checksPerOp: Record<string, number> = {
  'orgkit access.hasRole': roleNames.length,
};
const [PERMISSION, ROLE, CASL, FLOOR, CASBIN] = Object.keys(paths) as [
  string,
  string,
  string,
  string,
  string,
];

// Rounds in alternating order and the median of per-round medians, as in the other benchmarks.
const p50s = new Map<string, number[]>(Object.keys(paths).map((name) => [name, []]));
for (let round = 0; round < 6; round++) {
  const names = round % 2 === 0 ? Object.keys(paths) : Object.keys(paths).reverse();
  for (const name of names) {
    const path = paths[name]!;
    const stats = await measure(() => do_not_optimize(path()));
    p50s.get(name)!.push(stats.p50);
  }
}
await roles.close();
await t.close();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const perCheck = (name: string) =>
  median(p50s.get(name)!) / (checksPerOp[name] ?? permissions.length);
for (const name of Object.keys(paths)) {
  const ns = perCheck(name);
  console.log(
    `${name.padEnd(30)} ${ns.toFixed(1).padStart(9)} ns/check  ${Math.round(1e9 / ns)
      .toLocaleString('en-US')
      .padStart(13)} checks/s`,
  );
}
for (const [name, peer, times] of [
  [PERMISSION, CASL, 5],
  [ROLE, CASL, 5],
  [PERMISSION, CASBIN, 5],
] as const) {
  const ratio = perCheck(peer) / perCheck(name);
  reportTarget(`${name} speed / ${peer}`, ratio, `≥ ${times}× ${peer}`, ratio >= times);
}
console.log(
  `reference: a bare Set.has is ${(perCheck(CASL) / perCheck(FLOOR)).toFixed(2)}× CASL (not a target)`,
);
