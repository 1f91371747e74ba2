import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256Hex } from '../../src/telemetry/hmac-sha256.js';

const reference = (key: string, message: string) =>
  createHmac('sha256', key).update(message).digest('hex');

describe('hmacSha256Hex (the hashed telemetry ids, without node:crypto)', () => {
  it('equals node:crypto on random keys and messages, any length and any UTF-16', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        (key, message) => {
          expect(hmacSha256Hex(key, message)).toBe(reference(key, message));
        },
      ),
      { numRuns: 2000 },
    );
  });

  // Where SHA-256's padding changes: a message that fills a block, or leaves under 9 bytes of it;
  // a key of exactly one block, and one longer (hashed first).
  it.each([0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000])('a %i-byte message', (length) => {
    for (const key of ['k'.repeat(32), 'k'.repeat(64), 'k'.repeat(65), '']) {
      expect(hmacSha256Hex(key, 'm'.repeat(length))).toBe(reference(key, 'm'.repeat(length)));
    }
  });

  it('RFC 4231 test case 2', () => {
    expect(hmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});
