// IP address checks without `node:net`, which Next.js's edge runtime does not have. The syntax
// is Node's own (lib/internal/net.js), so an address node:net's isIP accepts is accepted here and
// nothing else; matching follows node:net's BlockList, which compares IPv4 addresses as their
// IPv4-mapped IPv6 form (::ffff:a.b.c.d), so either spelling matches a rule in the other.

const v4Seg = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const v4Str = `(?:${v4Seg}\\.){3}${v4Seg}`;
const IPV4 = new RegExp(`^${v4Str}$`);
const v6Seg = '(?:[0-9a-fA-F]{1,4})';
const IPV6 = new RegExp(
  '^(?:' +
    `(?:${v6Seg}:){7}(?:${v6Seg}|:)|` +
    `(?:${v6Seg}:){6}(?:${v4Str}|:${v6Seg}|:)|` +
    `(?:${v6Seg}:){5}(?::${v4Str}|(?::${v6Seg}){1,2}|:)|` +
    `(?:${v6Seg}:){4}(?:(?::${v6Seg}){0,1}:${v4Str}|(?::${v6Seg}){1,3}|:)|` +
    `(?:${v6Seg}:){3}(?:(?::${v6Seg}){0,2}:${v4Str}|(?::${v6Seg}){1,4}|:)|` +
    `(?:${v6Seg}:){2}(?:(?::${v6Seg}){0,3}:${v4Str}|(?::${v6Seg}){1,5}|:)|` +
    `(?:${v6Seg}:){1}(?:(?::${v6Seg}){0,4}:${v4Str}|(?::${v6Seg}){1,6}|:)|` +
    `(?::(?:(?::${v6Seg}){0,5}:${v4Str}|(?::${v6Seg}){1,7}|:))` +
    ')(?:%[0-9a-zA-Z-.:]{1,})?$',
);

/** 4, 6, or 0 when `address` is no IP address: node:net's `isIP`. @internal */
export function ipVersion(address: string): 0 | 4 | 6 {
  return IPV4.test(address) ? 4 : IPV6.test(address) ? 6 : 0;
}

// The 16 bytes of a valid address, an IPv4 one mapped into ::ffff:0:0/96; a zone id is ignored,
// as BlockList ignores it.
function bytesOf(address: string, version: 4 | 6): Uint8Array {
  const bytes = new Uint8Array(16);
  if (version === 4) {
    bytes[10] = bytes[11] = 0xff;
    bytes.set(address.split('.').map(Number), 12);
    return bytes;
  }
  let text = address.split('%')[0] as string;
  const words: number[] = [];
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4Tail) {
    const [a, b, c, d] = v4Tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4Tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const hex = (part: string) => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const left = hex(head);
  const right = tail === undefined ? [] : hex(tail);
  words.push(...left, ...new Array(8 - left.length - right.length).fill(0), ...right);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/** A parsed `trustProxy` entry: an address, or a CIDR range when `prefix` is given. @internal */
export interface IpRule {
  address: string;
  prefix?: number | undefined;
}

/**
 * Builds a matcher over `rules` (each already checked with {@link ipVersion}): true when an
 * address is one of them or in one of their ranges. Answers as node:net's BlockList does.
 * @internal
 */
export function createIpMatcher(rules: readonly IpRule[]): (address: string) => boolean {
  const ranges = rules.map(({ address, prefix }) => {
    const version = ipVersion(address) as 4 | 6;
    const bits = version === 4 ? 96 + (prefix ?? 32) : (prefix ?? 128);
    return { bytes: bytesOf(address, version), bits };
  });
  return (address) => {
    const version = ipVersion(address);
    if (version === 0) return false;
    const bytes = bytesOf(address, version);
    return ranges.some((range) => inRange(bytes, range.bytes, range.bits));
  };
}

function inRange(bytes: Uint8Array, network: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (bytes[i] !== network[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((bytes[whole] as number) & mask) === ((network[whole] as number) & mask);
}
