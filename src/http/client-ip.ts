import { OrgkitError } from '../errors/index.js';
import type { HeadersLike } from './headers.js';
import { createIpMatcher, type IpRule, ipVersion } from './ip-address.js';

/**
 * Which proxies may set `X-Forwarded-For`: `false` trusts none (the socket address is the client),
 * `true` trusts every hop (the leftmost entry is the client), a number trusts that many hops
 * nearest the server, a list trusts the proxies at those addresses or CIDR ranges.
 */
export type TrustProxy = boolean | number | readonly string[];

/** Resolves the client IP of one request. @internal */
export type ClientIpResolver = (
  headers: HeadersLike,
  remoteAddress: string | undefined,
) => string | undefined;

// `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is reported as `10.0.0.1`, so audit
// rows and CIDR rules see one spelling per client.
function normalize(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let address = raw.trim();
  if (address.startsWith('[')) address = address.slice(1, address.indexOf(']'));
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(address))
    address = address.slice(0, address.indexOf(':'));
  if (address.toLowerCase().startsWith('::ffff:') && ipVersion(address.slice(7)) === 4) {
    address = address.slice(7);
  }
  return ipVersion(address) ? address : undefined;
}

// A connection reports one address string for all its requests: its normalized form is
// remembered, so a keep-alive request runs no regular expression for it. Cleared when full.
const MAX_REMEMBERED_ADDRESSES = 1024;

function createSocketAddressNormalizer(): (raw: string | undefined) => string | undefined {
  const remembered = new Map<string, string | null>();
  return (raw) => {
    if (raw === undefined) return undefined;
    let address = remembered.get(raw);
    if (address === undefined) {
      if (remembered.size >= MAX_REMEMBERED_ADDRESSES) remembered.clear();
      address = normalize(raw) ?? null;
      remembered.set(raw, address);
    }
    return address ?? undefined;
  };
}

function trustedProxiesOf(entries: readonly string[]): (address: string) => boolean {
  const rules: IpRule[] = [];
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = ipVersion(address);
    const prefix = bits === undefined ? undefined : Number(bits);
    const max = family === 4 ? 32 : 128;
    if (
      !family ||
      (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= max))
    ) {
      throw new OrgkitError(
        'invalid_config',
        `trustProxy: "${entry}" is not an IP address or CIDR range`,
      );
    }
    rules.push({ address, prefix });
  }
  return createIpMatcher(rules);
}

/**
 * Builds the client-IP rule once (a bad CIDR fails here, not per request). Hops are walked from
 * the socket outwards, as Express's `trust proxy` does: the client is the first untrusted hop.
 * @internal
 */
export function createClientIpResolver(trustProxy: TrustProxy): ClientIpResolver {
  const socketAddress = createSocketAddressNormalizer();
  if (trustProxy === false || trustProxy === 0) return (_headers, remote) => socketAddress(remote);
  const isTrusted =
    trustProxy === true
      ? () => true
      : typeof trustProxy === 'number'
        ? (_address: string, hop: number) => hop < trustProxy
        : trustedProxiesOf(trustProxy);
  return (headers, remote) => {
    let client = socketAddress(remote);
    if (remote !== undefined && client === undefined) return undefined;
    const forwarded = headers.get('x-forwarded-for');
    if (!forwarded) return client;
    const hops = forwarded.split(',');
    for (let hop = 0; hop < hops.length; hop++) {
      // No socket address (Next.js route handlers, edge runtimes): the peer is the platform's
      // proxy, trusted as the first hop. Otherwise a hop we trust vouches for the next one.
      if (client === undefined ? hop > 0 : !isTrusted(client, hop)) break;
      client = normalize(hops[hops.length - 1 - hop]);
      // An address that is no IP ends the chain.
      if (client === undefined) return undefined;
    }
    return client;
  };
}
