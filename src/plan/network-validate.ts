import type { ContainerPlan, NetworkPlan, Plan } from './types';
import { contains6, formatIpv6, networkOf6, parseCidr6, parseIpv6, subnetText6 } from './cidr6';
import { broadcastOf, contains, formatIpv4, networkOf, overlaps, parseCidr, parseIpv4, subnetText, type Cidr } from './cidr';

/** One network problem; `container` indexes plan.containers (the shape of plan/validate's PlanIssue). */
export interface NetworkIssue {
  container: number | undefined;
  path: string;
  message: string;
  hint?: string;
}

const IFNAME_MAX = 15;

/** Valid Linux interface name (IFNAMSIZ 16 with the NUL; no "/", ":" or whitespace; not "." or ".."). */
export function isInterfaceName(name: string): boolean {
  return name.length > 0 && name.length <= IFNAME_MAX && !/[\s/:]/.test(name) && name !== '.' && name !== '..';
}

/**
 * Subnet checks for one container's network: the container and the bridge must be in the same subnet
 * (otherwise the default route via the bridge is unreachable), and no address may be one the subnet
 * reserves. Syntax errors are reported by plan/validate already, so unparsable CIDRs are skipped here.
 */
export function validateNetworkPlan(net: NetworkPlan): Omit<NetworkIssue, 'container'>[] {
  const issues: Omit<NetworkIssue, 'container'>[] = [];
  const add = (message: string, hint?: string) =>
    issues.push(hint === undefined ? { path: 'network', message } : { path: 'network', message, hint });
  const bridge = parseCidr(net.bridgeAddress);
  const own = parseCidr(net.address);
  if (net.vethHost === net.bridge) add(`vethHost "${net.vethHost}" has the same name as the bridge`, 'give the veth its own name, e.g. vethHost: "vh-NAME"');
  if (net.vethGuest === 'lo') add('vethGuest cannot be "lo": the container already has a loopback interface', 'use e.g. "eth0"');
  validatePorts(net, issues);
  validateIpv6(net, add);
  if (!bridge || !own) return issues;

  if (bridge.prefix > 30) add(`bridgeAddress ${net.bridgeAddress}: a /${bridge.prefix} leaves no room for containers`, 'use a /24, e.g. 10.88.0.1/24');
  if (own.prefix !== bridge.prefix || !contains(bridge, own.address)) {
    add(
      `address ${net.address} is not in the bridge's subnet ${subnetText(bridge)}`,
      `pick an address in ${subnetText(bridge)} with the same prefix, e.g. ${suggestAddress(bridge)}`,
    );
  } else {
    if (own.address === bridge.address) add(`address ${net.address} is the bridge's own address`, `pick another address in ${subnetText(bridge)}, e.g. ${suggestAddress(bridge)}`);
    reserved(own, 'address', add);
  }
  if (bridge.prefix <= 30) reserved(bridge, 'bridgeAddress', add);

  if (net.gateway !== undefined && net.gateway !== '') {
    const gw = parseIpv4(net.gateway);
    if (gw === undefined) add(`gateway "${net.gateway}" is not an IPv4 address`, `write e.g. ${formatIpv4(bridge.address)} (the bridge address without /${bridge.prefix})`);
    else if (!contains(own, gw)) add(`gateway ${net.gateway} is not in the container's subnet ${subnetText(own)}: the route could not be added`, `use the bridge address ${formatIpv4(bridge.address)}`);
    else if (gw === own.address && own.address !== bridge.address) add(`gateway ${net.gateway} is the container's own address`, `use the bridge address ${formatIpv4(bridge.address)}`);
  }
  return issues;
}

/**
 * IPv6 next to IPv4: both CIDRs or neither, the container in the bridge's v6 subnet (a /64 or longer
 * prefix up to /126, so there is room for both), not the bridge's own address, a gateway in the subnet.
 */
function validateIpv6(net: NetworkPlan, add: (message: string, hint?: string) => void): void {
  if (net.address6 === undefined && net.bridgeAddress6 === undefined) {
    if (net.gateway6 !== undefined) add(`gateway6 ${net.gateway6} without an IPv6 address`, 'add bridgeAddress6 and address6, e.g. fd88::1/64 and fd88::10/64');
    return;
  }
  if (net.address6 === undefined || net.bridgeAddress6 === undefined) {
    add(`IPv6 needs both bridgeAddress6 and address6 (only ${net.address6 === undefined ? 'bridgeAddress6' : 'address6'} is given)`, 'e.g. bridgeAddress6: "fd88::1/64", address6: "fd88::10/64"');
    return;
  }
  const bridge = parseCidr6(net.bridgeAddress6);
  const own = parseCidr6(net.address6);
  for (const [field, text, parsed] of [['bridgeAddress6', net.bridgeAddress6, bridge], ['address6', net.address6, own]] as const) {
    if (!parsed) add(`${field} "${text}" is not an IPv6 CIDR (an address such as fd88::10 and a prefix 0–128)`, `write e.g. ${field === 'address6' ? 'fd88::10/64' : 'fd88::1/64'}`);
  }
  if (!bridge || !own) return;
  if (bridge.prefix > 126) add(`bridgeAddress6 ${net.bridgeAddress6}: a /${bridge.prefix} leaves no room for containers`, 'use a /64, e.g. fd88::1/64');
  if (own.prefix !== bridge.prefix || !contains6(bridge, own.address)) {
    add(`address6 ${net.address6} is not in the bridge's IPv6 subnet ${subnetText6(bridge)}`, `pick an address in ${subnetText6(bridge)} with the same prefix, e.g. ${formatIpv6(networkOf6(bridge) + 0x10n)}/${bridge.prefix}`);
  } else if (own.address === bridge.address) {
    add(`address6 ${net.address6} is the bridge's own address`, `pick another address in ${subnetText6(bridge)}`);
  }
  if (net.gateway6 !== undefined) {
    const gw = parseIpv6(net.gateway6);
    if (gw === undefined) add(`gateway6 "${net.gateway6}" is not an IPv6 address`, `write e.g. ${formatIpv6(bridge.address)} (the bridge's v6 address without /${bridge.prefix})`);
    else if (!contains6(own, gw)) add(`gateway6 ${net.gateway6} is not in the container's IPv6 subnet ${subnetText6(own)}`, `use the bridge's v6 address ${formatIpv6(bridge.address)}`);
    else if (gw === own.address) add(`gateway6 ${net.gateway6} is the container's own address`, `use the bridge's v6 address ${formatIpv6(bridge.address)}`);
  }
}

const isPort = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

/** Forwarded ports: whole numbers 1–65535, tcp or udp, each host port (per protocol) forwarded once. */
function validatePorts(net: NetworkPlan, issues: Omit<NetworkIssue, 'container'>[]): void {
  const seen = new Map<string, number>();
  for (const [i, p] of (net.ports ?? []).entries()) {
    const path = `network.ports[${i}]`;
    const add = (message: string, hint: string) => issues.push({ path, message, hint });
    if (!isPort(p.host)) add(`host port ${String(p.host)} is not a port number`, 'use a whole number from 1 to 65535, e.g. 8080');
    if (!isPort(p.container)) add(`container port ${String(p.container)} is not a port number`, 'use a whole number from 1 to 65535, e.g. 80');
    if (p.protocol !== 'tcp' && p.protocol !== 'udp') add(`protocol "${String(p.protocol)}" is not tcp or udp`, "use protocol: 'tcp' (the default) or 'udp'");
    const key = `${p.protocol}/${p.host}`;
    const first = seen.get(key);
    if (first !== undefined) add(`${p.protocol} host port ${p.host} is forwarded twice (also network.ports[${first}])`, 'forward each host port once');
    else seen.set(key, i);
  }
}

function reserved(cidr: Cidr, field: string, add: (m: string, h?: string) => void): void {
  if (cidr.prefix > 30) return; // /31 and /32 have no network or broadcast address
  const text = `${formatIpv4(cidr.address)}/${cidr.prefix}`;
  if (cidr.address === networkOf(cidr)) add(`${field} ${text} is the network address of ${subnetText(cidr)}`, `use a host address, e.g. ${suggestAddress(cidr)}`);
  if (cidr.address === broadcastOf(cidr)) add(`${field} ${text} is the broadcast address of ${subnetText(cidr)}`, `use a host address, e.g. ${suggestAddress(cidr)}`);
}

/** A host address of the subnet other than `cidr`'s own, for hints. */
function suggestAddress(cidr: Cidr): string {
  const net = networkOf(cidr);
  const candidate = cidr.address === net + 2 ? net + 3 : net + 2;
  return `${formatIpv4(candidate)}/${cidr.prefix}`;
}

/**
 * Checks across the containers of one file (each container's own checks are validateNetworkPlan): two containers with the same address on one bridge, one
 * bridge given two different addresses, bridges whose subnets overlap (the host could not route to
 * both), and two containers with the same host-side veth name.
 */
export function validatePlanNetworks(plan: Plan): NetworkIssue[] {
  const issues: NetworkIssue[] = [];
  const withNet = plan.containers
    .map((c, index) => ({ c, index, net: c.network }))
    .filter((e): e is { c: ContainerPlan; index: number; net: NetworkPlan } => e.net !== undefined);

  const bridges = new Map<string, { cidr: Cidr; text: string; owner: string }>();
  const addresses = new Map<string, string>();
  const veths = new Map<string, string>();
  const bridges6 = new Map<string, { text: string; owner: string }>();
  const hostPorts = new Map<string, string>();
  for (const { c, index, net } of withNet) {
    const add = (message: string, hint: string) => issues.push({ container: index, path: 'network', message, hint });
    for (const p of net.ports ?? []) {
      const key = `${p.protocol}/${p.host}`;
      const portOwner = hostPorts.get(key);
      if (portOwner !== undefined && portOwner !== c.name) add(`${p.protocol} host port ${p.host} is also forwarded to "${portOwner}"`, 'a host port can go to one container only: pick another host port');
      else hostPorts.set(key, c.name);
    }
    const vethOwner = veths.get(net.vethHost);
    if (vethOwner !== undefined) add(`vethHost "${net.vethHost}" is also used by "${vethOwner}"`, 'each container needs its own host-side veth name (vethHost)');
    else veths.set(net.vethHost, c.name);

    const bridge = parseCidr(net.bridgeAddress);
    const own = parseCidr(net.address);
    if (!bridge || !own) continue;
    const known = bridges.get(net.bridge);
    if (known && (known.cidr.address !== bridge.address || known.cidr.prefix !== bridge.prefix)) {
      add(`bridge ${net.bridge} has address ${net.bridgeAddress} here but ${known.text} in "${known.owner}"`, `use the same bridgeAddress (${known.text}) for every container on ${net.bridge}`);
    } else if (!known) {
      for (const [name, other] of bridges) {
        if (overlaps(other.cidr, bridge)) {
          add(`bridge ${net.bridge} (${subnetText(bridge)}) overlaps bridge ${name} (${subnetText(other.cidr)}) of "${other.owner}"`, 'give each bridge its own subnet, e.g. 10.88.0.0/24 and 10.88.1.0/24');
        }
      }
      bridges.set(net.bridge, { cidr: bridge, text: net.bridgeAddress, owner: c.name });
    }
    const own6 = net.address6 === undefined ? undefined : parseCidr6(net.address6);
    if (own6) {
      const key6 = formatIpv6(own6.address);
      const owner6 = addresses.get(key6);
      if (owner6 !== undefined) add(`address6 ${key6} is also the IPv6 address of "${owner6}"`, 'give each container its own IPv6 address in the subnet');
      else addresses.set(key6, c.name);
    }
    const v6 = bridges6.get(net.bridge);
    if (net.bridgeAddress6 !== undefined && v6 !== undefined && v6.text !== net.bridgeAddress6) {
      add(`bridge ${net.bridge} has IPv6 address ${net.bridgeAddress6} here but ${v6.text} in "${v6.owner}"`, `use the same bridgeAddress6 (${v6.text}) for every container on ${net.bridge}`);
    } else if (net.bridgeAddress6 !== undefined && v6 === undefined) bridges6.set(net.bridge, { text: net.bridgeAddress6, owner: c.name });
    const key = formatIpv4(own.address);
    const addressOwner = addresses.get(key);
    if (addressOwner !== undefined) add(`address ${key} is also the address of "${addressOwner}"`, 'give each container its own address in the subnet');
    else addresses.set(key, c.name);
  }
  return issues;
}
