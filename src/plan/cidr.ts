/**
 * IPv4 addresses and CIDRs as plain numbers, so subnet questions ("is the container in the bridge's
 * subnet?", "do these two bridges overlap?") are arithmetic instead of string juggling.
 */

/** A parsed `a.b.c.d/len`: the address as an unsigned 32-bit number and the prefix length. */
export interface Cidr {
  /** The address exactly as written (host bits kept), as an unsigned 32-bit number. */
  address: number;
  /** Prefix length 0–32. */
  prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parse a dotted IPv4 address (`10.88.0.1`) into an unsigned number, or undefined if it is not one. */
export function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  // Leading zeros ("010") are read as octal by some tools and decimal by others: refuse them.
  if (m.slice(1, 5).some((o) => o.length > 1 && o.startsWith('0'))) return undefined;
  if (octets.some((o) => o > 255)) return undefined;
  return ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
}

/** Parse `a.b.c.d/len` (the prefix is required), or undefined if it is not an IPv4 CIDR. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  return { address, prefix };
}

/** The netmask of a prefix length as an unsigned number (`/24` → 255.255.255.0). */
export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The network address of a CIDR (host bits cleared). */
export function networkOf(cidr: Cidr): number {
  return (cidr.address & maskOf(cidr.prefix)) >>> 0;
}

/** The broadcast address of a CIDR (host bits set). */
export function broadcastOf(cidr: Cidr): number {
  return (networkOf(cidr) | (~maskOf(cidr.prefix) >>> 0)) >>> 0;
}

/** Dotted form of an unsigned 32-bit address. */
export function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.');
}

/** The subnet a CIDR lies in, written as a CIDR (`10.88.0.7/24` → `10.88.0.0/24`). */
export function subnetText(cidr: Cidr): string {
  return `${formatIpv4(networkOf(cidr))}/${cidr.prefix}`;
}

/** True when `address` lies inside the subnet of `cidr`. */
export function contains(cidr: Cidr, address: number): boolean {
  return ((address & maskOf(cidr.prefix)) >>> 0) === networkOf(cidr);
}

/** True when two subnets share at least one address (one always contains the other's network). */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const shorter = a.prefix <= b.prefix ? a : b;
  const longer = shorter === a ? b : a;
  return contains(shorter, networkOf(longer));
}
