import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openOutcome, refreshKey, sealOutcome } from '../../src/http/refresh/sealed-outcome.js';
import {
  claimsStillCount,
  revocationsFrom,
  sessionRevoked,
} from '../../src/roles/token-revocations.js';
import { sessionFor } from '../support/sessions.js';

const second = fc.integer({ min: 1_700_000_000, max: 1_900_000_000 });
const withIat = (iat: number | undefined, organizationId = 'org_a', sessionId = 'session_1') => {
  const session = sessionFor('user_a', { organizationId, role: 'admin' });
  return {
    ...session,
    sessionId,
    claims: iat === undefined ? { sub: 'user_a' } : { sub: 'user_a', iat },
  };
};

describe('which token claims count', () => {
  it('claims count exactly when the token was issued at or after the mark (whole seconds)', () => {
    fc.assert(
      fc.property(second, fc.integer({ min: -5_000, max: 5_000 }), (iat, offsetMs) => {
        const mark = iat * 1000 + offsetMs;
        const marks = revocationsFrom([{ kind: 'claims', subject: 'org_a', revokedAt: mark }]);
        expect(claimsStillCount(marks, withIat(iat))).toBe(iat * 1000 >= mark);
        // Another organization's mark, or none at all, takes nothing.
        expect(claimsStillCount(marks, withIat(iat, 'org_b'))).toBe(true);
        expect(claimsStillCount(undefined, withIat(iat))).toBe(true);
        // A token without iat counts as older than any mark.
        expect(claimsStillCount(marks, withIat(undefined))).toBe(false);
      }),
    );
  });

  it('a sessions mark refuses older tokens; a session mark refuses that session at any age', () => {
    fc.assert(
      fc.property(second, fc.integer({ min: -5_000, max: 5_000 }), (iat, offsetMs) => {
        const mark = iat * 1000 + offsetMs;
        const all = revocationsFrom([{ kind: 'sessions', subject: '', revokedAt: mark }]);
        expect(sessionRevoked(all, withIat(iat))).toBe(iat * 1000 < mark);
        expect(claimsStillCount(all, withIat(iat))).toBe(iat * 1000 >= mark);
        const one = revocationsFrom([{ kind: 'session', subject: 'session_1', revokedAt: 0 }]);
        expect(sessionRevoked(one, withIat(iat))).toBe(true);
        expect(sessionRevoked(one, withIat(iat, 'org_a', 'session_2'))).toBe(false);
      }),
    );
  });
});

describe('a stored refresh outcome', () => {
  it('opens only with the old cookie it was sealed for, under a key that does not reveal it', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Long enough that "does not contain" cannot hold by chance of a short match.
        fc.string({ minLength: 24, maxLength: 300 }),
        fc.string({ minLength: 24, maxLength: 300 }),
        fc.string({ minLength: 24, maxLength: 500 }),
        async (cookie, other, sealed) => {
          const stored = await sealOutcome(cookie, sealed);
          expect(await openOutcome(cookie, stored)).toBe(sealed);
          expect(stored).not.toContain(sealed);
          const key = await refreshKey(cookie);
          expect(key).toBe(await refreshKey(cookie));
          expect(key).not.toContain(cookie);
          if (other !== cookie) {
            expect(await openOutcome(other, stored)).toBeUndefined();
            expect(await refreshKey(other)).not.toBe(key);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
