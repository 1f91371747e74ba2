import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseInput } from '../src/errors/parse-input.js';
import {
  HTTP_STATUS_BY_CODE,
  isOrgkitError,
  ORGKIT_ERROR_CODES,
  OrgkitError,
} from '../src/index.js';

describe('OrgkitError', () => {
  it('is recognised across two copies of the package by its global brand', () => {
    const error = new OrgkitError('forbidden', 'nope');
    const copy = Object.assign(Object.create(null), { [Symbol.for('orgkit.error')]: true });
    expect(isOrgkitError(error)).toBe(true);
    expect(isOrgkitError(copy)).toBe(true);
    expect(isOrgkitError(new Error('x'))).toBe(false);
    expect(isOrgkitError(null)).toBe(false);
  });

  it('serialises to the stable client body without the cause', () => {
    const error = new OrgkitError('unauthenticated', 'token expired', {
      reason: 'expired',
      cause: new Error('secret internals'),
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      error: { code: 'unauthenticated', message: 'token expired', reason: 'expired' },
    });
  });

  it('maps every code to an HTTP status', () => {
    for (const code of ORGKIT_ERROR_CODES)
      expect(HTTP_STATUS_BY_CODE[code]).toBeGreaterThanOrEqual(400);
  });

  it('parseInput names the bad key', () => {
    const schema = z.object({ user: z.object({ email: z.email() }) });
    expect(() => parseInput(schema, { user: { email: 'nope' } }, 'createUser')).toThrowError(
      expect.objectContaining({ code: 'invalid_input', details: { key: 'user.email' } }),
    );
  });
});
