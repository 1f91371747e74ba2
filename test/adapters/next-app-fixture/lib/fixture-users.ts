/**
 * The users the fixture app seeds and the test signs in as. Plain data: the test process imports
 * it too, so it must not import Next or orgkit.
 */
export const FIXTURE_ORGANIZATION = 'org_01NEXTFIXTUREACME';

export const FIXTURE_USERS = {
  /** App role `editor`: passes the dashboard's rules. */
  editor: { id: 'user_01NEXTFIXTUREEDITOR', appRole: 'editor', orgRole: undefined },
  /** A second editor, to show one request's memo never answers another's. */
  otherEditor: { id: 'user_01NEXTFIXTUREEDITOR2', appRole: 'editor', orgRole: undefined },
  /** App role `user` only: forbidden on the admin page and the billing route. */
  reader: { id: 'user_01NEXTFIXTUREREADER', appRole: 'user', orgRole: undefined },
  /** App role `user` (no billing) plus the membership role `billing_admin` (billing). */
  billing: { id: 'user_01NEXTFIXTUREBILLING', appRole: 'user', orgRole: 'billing_admin' },
} as const;

/** The header the AuthKit stand-in reads its session's access token from. */
export const ACCESS_TOKEN_HEADER = 'x-test-access-token';
