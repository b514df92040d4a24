/**
 * Which resolved addresses the bridge may connect to.
 *
 * Allow only what ipaddr.js classifies as global `unicast`; every named special range (loopback,
 * RFC 1918, link-local incl. the 169.254.169.254 metadata service, CGNAT, unique-local, documentation,
 * benchmarking, reserved, ...) is refused. Addresses that embed an IPv4 address (IPv4-mapped,
 * IPv4-translated, NAT64, 6to4, Teredo, the deprecated IPv4-compatible ::/96) are judged by the IPv4
 * address they lead to, because that is where the packets end up.
 *
 * `allowPrivate` (operator only) lifts the refusal of private-use ranges so tests and on-prem setups can
 * reach local services. Unspecified, multicast and broadcast stay refused even then: none of them is a
 * unicast peer an HTTP client can talk to (0.0.0.0 quietly means "this host"). Link-local stays refused
 * too: it holds the cloud metadata service (169.254.169.254, fe80::/10 neighbours), the classic SSRF
 * prize, which no on-prem API lives on; an operator who truly needs it names the range in allowRanges.
 */
import ipaddr from 'ipaddr.js';

export interface AddressPolicy {
  allowPrivate: boolean;
  /**
   * Narrower than allowPrivate: special-purpose ranges the operator opens one by one (CIDR, e.g.
   * "10.20.0.0/16" for an on-prem API, never the whole private space with its metadata service).
   */
  allowRanges?: readonly AddressRange[];
}

export type AddressRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parse operator CIDRs. Throws on a bad entry: a configuration error should stop start-up. */
export function parseAddressRanges(cidrs: readonly string[]): AddressRange[] {
  return cidrs.map((cidr) => {
    try {
      return ipaddr.parseCIDR(cidr.includes('/') ? cidr : `${cidr}/${cidr.includes(':') ? 128 : 32}`);
    } catch (error) {
      throw new TypeError(`egress: invalid address range "${cidr}"`, { cause: error });
    }
  });
}

function inRanges(address: string, ranges: readonly AddressRange[]): boolean {
  const parsed = ipaddr.parse(address);
  return ranges.some(([base, bits]) => parsed.kind() === base.kind() && parsed.match(base, bits));
}

/** `reason` names the address (for logs); `words` is the class alone (for the guest and metrics). */
export type AddressVerdict = { ok: true } | { ok: false; reason: string; words: string };

export interface AddressClass {
  /** ipaddr.js range name of the address, or of the embedded IPv4 address when there is one. */
  range: string;
  /** The IPv4 address an IPv6 address embeds (mapped, NAT64, 6to4, Teredo, compatible). */
  embedded?: string;
}

const NEVER_ALLOWED = new Set(['unspecified', 'multicast', 'broadcast']);
/** Not opened by allowPrivate; only by an explicit range. */
const EXPLICIT_ONLY = new Set(['linkLocal']);

const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  uniqueLocal: 'a private (unique-local) address',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

function fromBytes(bytes: number[]): string {
  return ipaddr.fromByteArray(bytes).toString();
}

/** The IPv4 address an IPv6 address carries, for the ranges whose traffic ends at that IPv4 address. */
function embeddedIpv4(address: ipaddr.IPv6, range: string): string | undefined {
  const bytes = address.toByteArray();
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d
    case 'rfc6052': // 64:ff9b::a.b.c.d (and the local-use 64:ff9b:1::/48)
      return fromBytes(bytes.slice(12, 16));
    case '6to4': // 2002:AABB:CCDD::/48
      return fromBytes(bytes.slice(2, 6));
    case 'teredo': // 2001:0:server:flags:port:~client
      return fromBytes(bytes.slice(12, 16).map((byte) => byte ^ 0xff));
    default:
      break;
  }
  // Deprecated IPv4-compatible ::a.b.c.d: ipaddr.js calls it unicast, but it is an IPv4 address in disguise.
  if (range === 'unicast' && bytes.slice(0, 12).every((byte) => byte === 0)) return fromBytes(bytes.slice(12, 16));
  return undefined;
}

/** Classify an address. Throws only if `address` is not an IP literal (a caller bug). */
export function classifyAddress(address: string): AddressClass {
  const parsed = ipaddr.parse(address.replace(/%.*$/, ''));
  if (parsed.kind() === 'ipv4') return { range: parsed.range() };
  const v6 = parsed as ipaddr.IPv6;
  const range = v6.range();
  const embedded = embeddedIpv4(v6, range);
  if (embedded === undefined) return { range };
  return { range: ipaddr.IPv4.parse(embedded).range(), embedded };
}

export function isIpLiteral(text: string): boolean {
  return ipaddr.isValid(text.replace(/%.*$/, '')) && (ipaddr.IPv4.isValidFourPartDecimal(text) || text.includes(':'));
}

/** Whether the bridge may connect to `address`. Expected refusals are values. */
export function checkAddress(address: string, policy: AddressPolicy): AddressVerdict {
  if (!isIpLiteral(address)) return { ok: false, reason: `"${address}" is not an IP address`, words: 'not an IP address' };
  const { range, embedded } = classifyAddress(address);
  if (range === 'unicast') return { ok: true };
  if (!NEVER_ALLOWED.has(range)) {
    if (policy.allowPrivate && !EXPLICIT_ONLY.has(range)) return { ok: true };
    const plain = address.replace(/%.*$/, '');
    if (policy.allowRanges && inRanges(embedded ?? plain, policy.allowRanges)) return { ok: true };
  }
  const words = RANGE_WORDS[range] ?? `a special-purpose address (${range})`;
  const via = embedded === undefined ? '' : ` (embeds ${embedded})`;
  return { ok: false, reason: `address ${address}${via} is ${words}`, words };
}
