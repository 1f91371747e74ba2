import { describe, expect, it } from 'vitest';
import { isAlwaysTrue } from '../../src/rls/lint/always-true.js';
import { findClaimCalls, wrapClaimCalls } from '../../src/rls/lint/claim-calls.js';
import { findComparedColumns } from '../../src/rls/lint/compared-columns.js';

// Expressions as pg_get_expr prints them with an empty search path (copied from PGlite 18).
describe('reading deparsed policy expressions', () => {
  it('places each claim read: hoisted, unwrapped, or correlated with the row', () => {
    const placements = (text: string) => findClaimCalls(text, 't').map((call) => call.placement);
    expect(placements('(( SELECT auth.user_id() AS user_id) = user_id)')).toEqual(['hoisted']);
    expect(placements('(auth.user_id() = user_id)')).toEqual(['unwrapped']);
    expect(placements('( SELECT (auth.user_id() = t.user_id))')).toEqual(['correlated']);
    expect(
      placements(
        '((org_id = ANY (ARRAY( SELECT t2.org_id\n   FROM public.t t2\n  WHERE (t2.user_id = ( SELECT auth.user_id() AS user_id))))))',
      ),
    ).toEqual(['hoisted']);
    expect(
      findClaimCalls(
        "(user_id = ((current_setting('request.jwt.claims'::text, true))::jsonb ->> 'sub'::text))",
        't',
      ),
    ).toMatchObject([{ name: "current_setting('request.jwt.claims')", placement: 'unwrapped' }]);
    // Text that only looks like a call: a string literal, another setting, another schema's function.
    expect(findClaimCalls("(note = 'auth.user_id() = user_id'::text)", 't')).toEqual([]);
    expect(findClaimCalls("(current_setting('app.tenant'::text) = org_id)", 't')).toEqual([]);
    expect(findClaimCalls('(myauth.user_id() = user_id)', 't')).toEqual([]);
  });

  it('wraps unwrapped claim reads in their own sub-select, and leaves the rest as written', () => {
    expect(
      wrapClaimCalls(
        "((user_id = auth.user_id()) OR (org_id = ((current_setting('request.jwt.claims'::text, true))::jsonb ->> 'org_id'::text)))",
        't',
      ),
    ).toBe(
      "((user_id = (SELECT auth.user_id())) OR (org_id = (((SELECT current_setting('request.jwt.claims'::text, true)))::jsonb ->> 'org_id'::text)))",
    );
    const untouched = '(( SELECT auth.user_id() AS user_id) = user_id)';
    expect(wrapClaimCalls(untouched, 't')).toBe(untouched);
    expect(wrapClaimCalls("(auth.has(auth.jwt() ->> 'sub'::text))", 't')).toBe(
      "((SELECT auth.has(auth.jwt() ->> 'sub'::text)))",
    );
  });

  it('finds the row columns a policy compares, outside sub-selects', () => {
    const columns = ['org_id', 'user_id', 'title', 'Team Id'];
    expect(
      findComparedColumns(
        "(((org_id)::text = 'a'::text) AND (title IS NOT NULL) AND (\"Team Id\" = ANY (ARRAY['x'::text])))",
        columns,
      ),
    ).toEqual(['org_id', 'Team Id']);
    expect(
      findComparedColumns(
        '(EXISTS ( SELECT 1\n   FROM public.m m\n  WHERE ((m.user_id = ( SELECT auth.user_id() AS user_id)) AND (m.org_id = t.org_id))))',
        columns,
      ),
    ).toEqual([]);
    expect(findComparedColumns('(( SELECT auth.user_id() AS user_id) = user_id)', columns)).toEqual(
      ['user_id'],
    );
  });

  it('knows a policy that admits every row', () => {
    expect(isAlwaysTrue('true')).toBe(true);
    expect(isAlwaysTrue('((user_id = ( SELECT auth.user_id() AS user_id)) OR true)')).toBe(true);
    expect(isAlwaysTrue('(true AND (true OR (org_id = x)))')).toBe(true);
    expect(isAlwaysTrue('(((user_id = x) OR true) AND (org_id = y))')).toBe(false);
    expect(isAlwaysTrue("(status = 'true'::text)")).toBe(false);
    expect(isAlwaysTrue(null)).toBe(false);
  });
});
