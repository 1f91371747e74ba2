import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIpMatcher, ipVersion } from '../../src/http/ip-address.js';

// The client-IP rule runs where node:net is missing (Next.js's edge runtime), so it carries its
// own address checks; node:net stays the reference they must agree with.

const octet = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 10, 127, 255));
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const word = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)),
  fc.constantFrom('0', 'ffff', 'FFFF', '0a00', 'fe80'),
);
// Full, compressed (`::` anywhere), IPv4-tailed and zoned spellings.
const ipv6 = fc
  .tuple(
    fc.array(word, { minLength: 8, maxLength: 8 }),
    fc.integer({ min: -1, max: 8 }),
    fc.integer({ min: 1, max: 8 }),
    fc.option(ipv4, { nil: undefined }),
    fc.option(fc.constantFrom('%eth0', '%1'), { nil: undefined }),
  )
  .map(([words, at, length, v4, zone]) => {
    const all = v4 ? words.slice(0, 6) : words;
    const tail = v4 ? [v4] : [];
    if (at < 0) return [...all, ...tail].join(':') + (zone ?? '');
    const start = Math.min(at, all.length);
    const left = all.slice(0, start).join(':');
    const right = [...all.slice(start + length), ...tail].join(':');
    return `${left}::${right}${zone ?? ''}`;
  });
const mapped = ipv4.map((v4) => `::ffff:${v4}`);
// Only what node:net calls an address: both sides get checked addresses in the client-IP rule.
const address = fc.oneof(ipv4, ipv6, mapped).filter((a) => isIP(a) !== 0);
// Near misses: a character dropped, doubled or swapped, so the syntax's edges are tried too.
const mangled = fc
  .tuple(address, fc.nat(), fc.constantFrom('', ':', '.', '::', '0', 'g', '%', '256', ' '))
  .map(([a, at, insert]) => {
    const i = at % (a.length + 1);
    return a.slice(0, i) + insert + a.slice(i + (insert === '' ? 1 : 0));
  });

describe('ipVersion', () => {
  it("answers as node:net's isIP for addresses and near misses", () => {
    fc.assert(
      fc.property(fc.oneof(address, mangled, fc.string()), (text) => {
        expect(ipVersion(text)).toBe(isIP(text));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['1.2.3.4', 4],
    ['01.2.3.4', 0],
    ['::ffff:10.0.0.1', 6],
    ['fe80::1%eth0', 6],
    ['1::2::3', 0],
    ['', 0],
  ])('%s → %i', (text, version) => {
    expect(ipVersion(text)).toBe(version);
  });
});

describe('createIpMatcher', () => {
  const rule = fc.oneof(
    ipv4.chain((a) =>
      fc.record({ address: fc.constant(a), prefix: fc.option(fc.integer({ min: 0, max: 32 })) }),
    ),
    fc
      .oneof(ipv6, mapped)
      .filter((a) => isIP(a) !== 0)
      .chain((a) =>
        fc.record({ address: fc.constant(a), prefix: fc.option(fc.integer({ min: 0, max: 128 })) }),
      ),
  );

  it("answers as node:net's BlockList, IPv4 and IPv4-mapped IPv6 alike", () => {
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 4 }), address, (rules, candidate) => {
        // node:net refuses a zoned IPv6 address whose part before `%` is 40 characters or more
        // (a rule throws, an address never matches; only IPv4-tailed spellings get that long),
        // where the matcher answers by the address's value. No proxy sends such a hop.
        const tooLong = (a: string) => a.indexOf('%') >= 40;
        fc.pre(!tooLong(candidate) && !rules.some((r) => tooLong(r.address)));
        const list = new BlockList();
        try {
          for (const { address: a, prefix } of rules) {
            const type = isIP(a) === 4 ? 'ipv4' : 'ipv6';
            if (prefix === null) list.addAddress(a, type);
            else list.addSubnet(a, prefix, type);
          }
        } catch {
          fc.pre(false);
        }
        const matcher = createIpMatcher(
          rules.map((r) => ({ address: r.address, prefix: r.prefix ?? undefined })),
        );
        const type = isIP(candidate) === 4 ? 'ipv4' : 'ipv6';
        expect(matcher(candidate)).toBe(list.check(candidate, type));
      }),
      { numRuns: 3000 },
    );
  });

  it('matches inside a range and not outside it, in either spelling', () => {
    const matcher = createIpMatcher([
      { address: '10.0.0.0', prefix: 8 },
      { address: '2001:db8::1' },
    ]);
    expect(matcher('10.200.3.4')).toBe(true);
    expect(matcher('::ffff:10.200.3.4')).toBe(true);
    expect(matcher('::ffff:a00:1')).toBe(true);
    expect(matcher('11.0.0.1')).toBe(false);
    expect(matcher('2001:db8:0:0:0:0:0:1')).toBe(true);
    expect(matcher('2001:db8::2')).toBe(false);
  });
});
