import { isIPv6 } from 'node:net';

/**
 * IPv6 addresses and CIDRs as 128-bit numbers (bigint), for the same subnet questions cidr.ts answers for
 * IPv4. Node's `net.isIPv6` says whether the text is an address; the expansion to a number is done here
 * because neither Node nor a small Debian-packaged library offers it as a value.
 */

/** A parsed `addr/len`: the address as written (host bits kept) and the prefix length 0–128. */
export interface Cidr6 {
  address: bigint;
  prefix: number;
}

/** Parse an IPv6 address (`fd88::1`; no zone, no embedded IPv4) into a number, or undefined. */
export function parseIpv6(text: string): bigint | undefined {
  if (!isIPv6(text) || text.includes('.') || text.includes('%')) return undefined;
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parse `addr/len` (the prefix is required), or undefined if it is not an IPv6 CIDR. */
export function parseCidr6(text: string): Cidr6 | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIpv6(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix > 128 ? undefined : { address, prefix };
}

const ALL = (1n << 128n) - 1n;

/** The network address of a CIDR (host bits cleared). */
export function networkOf6(cidr: Cidr6): bigint {
  const mask = cidr.prefix === 0 ? 0n : (ALL << BigInt(128 - cidr.prefix)) & ALL;
  return cidr.address & mask;
}

/** True when ADDRESS lies in the subnet of CIDR. */
export function contains6(cidr: Cidr6, address: bigint): boolean {
  return networkOf6({ address, prefix: cidr.prefix }) === networkOf6(cidr);
}

/** The shortest text of an address (RFC 5952: lower case, the longest run of zero groups as `::`). */
export function formatIpv6(address: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((address >> BigInt((7 - i) * 16)) & 0xffffn));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** The subnet a CIDR lies in, written as a CIDR (`fd88::10/64` → `fd88::/64`). */
export function subnetText6(cidr: Cidr6): string {
  return `${formatIpv6(networkOf6(cidr))}/${cidr.prefix}`;
}
