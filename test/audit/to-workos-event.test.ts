import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flattenMetadata, limitKey } from '../../src/audit/forward/flatten-metadata.js';
import {
  type ForwardedAuditRow,
  toWorkOSAuditEvent,
  workosIdempotencyKey,
} from '../../src/audit/forward/to-workos-event.js';

const HASH = 'ab'.repeat(32);
const RESERVED = [
  'orgkit.outcome',
  'orgkit.request_id',
  'orgkit.seq',
  'orgkit.hash',
  'orgkit.truncated',
];

function row(overrides: Partial<ForwardedAuditRow> = {}): ForwardedAuditRow {
  return {
    id: 42n,
    occurredAt: new Date('2026-11-25T10:00:00.123Z'),
    action: 'meeting.cancelled',
    outcome: 'success',
    actorWorkosUserId: 'user_01EXPERT',
    actorSystem: null,
    workosOrgId: 'org_01CLINIC',
    targetType: 'meeting',
    targetId: 'mtg_1',
    ipAddress: '203.0.113.9',
    userAgent: 'Mozilla/5.0 test',
    requestId: 'req_1',
    metadata: { reason: 'guest asked' },
    seq: 7n,
    hash: HASH,
    ...overrides,
  };
}

describe('toWorkOSAuditEvent', () => {
  it('maps a user event onto WorkOS’s schema, with orgkit’s outcome, request id and chain place', () => {
    expect(toWorkOSAuditEvent(row())).toEqual({
      action: 'meeting.cancelled',
      occurredAt: new Date('2026-11-25T10:00:00.123Z'),
      actor: { id: 'user_01EXPERT', type: 'user' },
      targets: [{ id: 'mtg_1', type: 'meeting' }],
      context: { location: '203.0.113.9', userAgent: 'Mozilla/5.0 test' },
      metadata: {
        'orgkit.outcome': 'success',
        'orgkit.request_id': 'req_1',
        reason: 'guest asked',
        'orgkit.seq': 7,
        'orgkit.hash': HASH,
      },
    });
  });

  it('names a system job as the actor and fills what WorkOS requires but was not recorded', () => {
    const event = toWorkOSAuditEvent(
      row({
        actorWorkosUserId: null,
        actorSystem: 'nightly-sync',
        targetId: null,
        ipAddress: null,
        userAgent: null,
        requestId: null,
        metadata: null,
        outcome: 'denied',
      }),
    );
    expect(event.actor).toEqual({ id: 'nightly-sync', type: 'system' });
    expect(event.targets).toEqual([{ id: 'none', type: 'meeting' }]);
    expect(event.context).toEqual({ location: '0.0.0.0' });
    expect(event.metadata).toEqual({
      'orgkit.outcome': 'denied',
      'orgkit.seq': 7,
      'orgkit.hash': HASH,
    });
  });

  it('flattens nested metadata into dotted keys and arrays into JSON text, leaving out nulls', () => {
    const { metadata } = toWorkOSAuditEvent(
      row({
        requestId: null,
        metadata: { visit: { id: 12, room: { floor: 2 } }, tags: ['a', 'b'], gone: null, ok: true },
      }),
    );
    expect(metadata).toMatchObject({
      'visit.id': 12,
      'visit.room.floor': 2,
      tags: '["a","b"]',
      ok: true,
    });
    expect(metadata).not.toHaveProperty('gone');
    expect(metadata).not.toHaveProperty('orgkit.truncated');
  });

  it('cuts long values, shortens long keys, and says so', () => {
    const longKey = 'k'.repeat(60);
    const { metadata } = toWorkOSAuditEvent(
      row({ metadata: { note: 'x'.repeat(900), [longKey]: 1 } }),
    );
    expect(metadata.note).toBe(`${'x'.repeat(499)}…`);
    expect(metadata[limitKey(longKey)]).toBe(1);
    expect(limitKey(longKey)).toHaveLength(40);
    expect(metadata['orgkit.truncated']).toBe(true);
  });

  it('keeps 50 keys at most: orgkit’s first, then the app’s, chain info only if it fits', () => {
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`field${i}`, i]));
    const { metadata } = toWorkOSAuditEvent(row({ metadata: many }));
    expect(Object.keys(metadata)).toHaveLength(50);
    expect(metadata['orgkit.outcome']).toBe('success');
    expect(metadata['orgkit.truncated']).toBe(true);
    expect(metadata).not.toHaveProperty('orgkit.hash');
    expect(metadata.field0).toBe(0);

    // 48 app keys fill the room exactly: nothing is cut, but the chain info does not fit.
    const exact = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`f${i}`, i]));
    const full = toWorkOSAuditEvent(row({ metadata: exact })).metadata;
    expect(Object.keys(full)).toHaveLength(50);
    expect(full).not.toHaveProperty('orgkit.truncated');
    expect(full).not.toHaveProperty('orgkit.seq');
  });

  it('lets no app key shadow orgkit’s own, nor set a prototype', () => {
    const { metadata } = toWorkOSAuditEvent(
      row({ metadata: JSON.parse('{"orgkit": {"outcome": "forged"}, "__proto__": "x"}') }),
    );
    expect(metadata['orgkit.outcome']).toBe('success');
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Object.hasOwn(metadata, '__proto__')).toBe(true);
    expect(metadata['orgkit.truncated']).toBe(true);
  });

  it('never carries old or new values', () => {
    const withChanges = {
      ...row(),
      oldValues: { diagnosis: 'secret-a' },
      newValues: { diagnosis: 'secret-b' },
    };
    expect(JSON.stringify(toWorkOSAuditEvent(withChanges))).not.toContain('secret');
  });
});

const jsonLeaf = fc.oneof(
  fc.string({ maxLength: 700 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const metadataArb = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('orgkit', 'orgkit.seq', 'a.b', 'a')),
  fc.oneof(
    jsonLeaf,
    fc.array(jsonLeaf, { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 50 }), jsonLeaf, { maxKeys: 30 }),
    fc.dictionary(fc.constantFrom('seq', 'hash', 'outcome', 'x'), jsonLeaf),
  ),
  { maxKeys: 80 },
);

describe('WorkOS metadata limits (property)', () => {
  it('any stored metadata maps within 50 keys, 40-character keys and 500-character values', () => {
    fc.assert(
      fc.property(
        metadataArb,
        fc.option(fc.string({ minLength: 1, maxLength: 128 })),
        (metadata, requestId) => {
          const mapped = toWorkOSAuditEvent(row({ metadata, requestId })).metadata;
          const entries = Object.entries(mapped);
          expect(entries.length).toBeLessThanOrEqual(50);
          for (const [key, value] of entries) {
            expect(key.length).toBeLessThanOrEqual(40);
            expect(key.length).toBeGreaterThan(0);
            expect(['string', 'number', 'boolean']).toContain(typeof value);
            if (typeof value === 'string') {
              expect(value.length).toBeLessThanOrEqual(500);
              expect(value).not.toMatch(/[\ud800-\udbff]$/);
            }
          }
          expect(mapped['orgkit.outcome']).toBe('success');
          // Whatever of the app's metadata is missing or shortened is flagged.
          const flat = flattenMetadata(metadata);
          const complete =
            flat.dropped === 0 &&
            !flat.entries.some((e) => e.cut || RESERVED.includes(e.key)) &&
            flat.entries.every((e) => mapped[e.key] === e.value);
          expect(mapped['orgkit.truncated'] === true).toBe(!complete);
        },
      ),
    );
  });

  it('the idempotency key depends only on the event, and differs between events', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 2n ** 62n }),
        fc.bigInt({ min: 1n, max: 2n ** 62n }),
        (a, b) => {
          const keyA = workosIdempotencyKey({ id: a, hash: HASH });
          expect(workosIdempotencyKey({ id: String(a), hash: HASH })).toBe(keyA);
          expect(keyA === workosIdempotencyKey({ id: b, hash: HASH })).toBe(a === b);
        },
      ),
    );
    expect(workosIdempotencyKey({ id: 1n, hash: HASH })).not.toBe(
      workosIdempotencyKey({ id: 1n, hash: 'cd'.repeat(32) }),
    );
  });
});
