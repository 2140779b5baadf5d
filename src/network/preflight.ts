import * as fs from 'node:fs';
import { EXIT, HacoError, type ErrorCode } from '../errors';
import type { ContainerPlan } from '../plan/types';
import { contains, formatIpv4, parseCidr, subnetText } from '../plan/cidr';
import { ipLinkProbe, type HostLink, type LinkProbe } from './host';
import { runningNetworks, type RunningNetwork } from './running';
import { installHint } from '../host/tools';
import { DEFAULT_NETWORK_TOOLS, type NetworkTools } from './tools';
import { DEFAULT_USERMODE_TOOLS } from './usermode';

/** A reason the container's network cannot be built on this host right now. */
export interface HostNetworkProblem {
  code: ErrorCode;
  message: string;
  hint: string;
}

/** What the host looks like, gathered once so the checks themselves are pure. */
export interface HostNetworkFacts {
  /** Links of the network namespace haco runs in (the one the bridge lives in). */
  links: HostLink[];
  /** Networks of other running haco containers. */
  running: RunningNetwork[];
  /** Whether a path exists (namespace files to join, the tools). */
  exists(path: string): boolean;
}

/**
 * Compare the container's network with the host as it is now. Run before the launcher, so a taken
 * address or a missing bridge is reported with a hint instead of a failed `ip` command halfway through
 * the wire phase (which would leave a half-started container to clean up).
 */
export function checkHostNetwork(c: ContainerPlan, facts: HostNetworkFacts, tools: NetworkTools = DEFAULT_NETWORK_TOOLS): HostNetworkProblem[] {
  const problems: HostNetworkProblem[] = [];
  const add = (code: ErrorCode, message: string, hint: string) => problems.push({ code, message, hint });

  for (const ref of c.namespaces.enter) {
    if (ref.kind === 'net' && !facts.exists(ref.path)) {
      const name = ref.path.startsWith('/var/run/netns/') || ref.path.startsWith('/run/netns/') ? ref.path.split('/').pop()! : undefined;
      add('E_NO_NETNS', `the network namespace ${ref.path} that "${c.name}" joins does not exist`, name ? `create it first: ip netns add ${name}` : 'check the path (e.g. /proc/PID/ns/net of a running process)');
    }
  }

  const um = c.usermodeNetwork;
  if (um) {
    const program = DEFAULT_USERMODE_TOOLS[um.tool];
    if (!facts.exists(program)) add('E_NO_TOOL', `${program} is needed for the ${um.tool} network of "${c.name}"`, installHint([um.tool]));
  }
  const net = c.network;
  if (!net) return problems;
  for (const [tool, name] of [[tools.ip, 'ip'], [tools.nsenter, 'nsenter']] as const) {
    if (!facts.exists(tool)) add('E_NO_TOOL', `${tool} is needed to wire the network of "${c.name}"`, installHint([name]));
  }
  const nft = tools.nft ?? DEFAULT_NETWORK_TOOLS.nft!;
  if ((net.ports ?? []).length > 0 && !facts.exists(nft)) add('E_NO_TOOL', `${nft} is needed for the forwarded ports of "${c.name}"`, installHint(['nft']));
  if (net.nat && !facts.exists(nft)) add('E_NO_TOOL', `${nft} is needed for the outbound NAT of "${c.name}" (network nat: true)`, installHint(['nft']));

  const byName = new Map(facts.links.map((l) => [l.name, l]));
  const bridge = byName.get(net.bridge);
  const bridgeCidr = parseCidr(net.bridgeAddress);
  const own = parseCidr(net.address);
  if (!bridge) {
    if (!net.createBridge) {
      add('E_NO_BRIDGE', `bridge ${net.bridge} does not exist and "${c.name}" does not create it (createBridge: false)`, `create it: haco net bridge create ${net.bridge} --address ${net.bridgeAddress}`);
    }
  } else if (bridge.kind !== 'bridge') {
    add('E_NOT_A_BRIDGE', `${net.bridge} exists but is a ${bridge.kind ?? 'plain'} link, not a bridge`, 'choose another bridge name in .network({ bridge })');
  } else if (bridgeCidr && own) {
    const inSubnet = bridge.ipv4.map(parseCidr).filter((a) => a !== undefined && contains(a, own.address));
    if (!net.createBridge && inSubnet.length === 0) {
      const has = bridge.ipv4.length > 0 ? bridge.ipv4.join(', ') : 'no IPv4 address';
      add('E_BRIDGE_SUBNET', `bridge ${net.bridge} has ${has}, nothing in ${subnetText(own)}: "${c.name}" could not reach its gateway`, `add the address: haco net bridge create ${net.bridge} --address ${net.bridgeAddress}`);
    }
  }

  const veth = byName.get(net.vethHost);
  if (veth) {
    const owner = facts.running.find((r) => r.vethHost === net.vethHost);
    add('E_VETH_EXISTS', `a link named ${net.vethHost} (the host end of "${c.name}"'s veth) already exists${owner ? `: it belongs to the running container "${owner.container}"` : ''}`, owner ? 'stop that container, or give this one another vethHost' : `is "${c.name}" already running? If not, remove the leftover: ip link del ${net.vethHost}`);
  }

  if (own) {
    const ownIp = formatIpv4(own.address);
    for (const link of facts.links) {
      if (link.ipv4.some((a) => a.split('/')[0] === ownIp)) {
        add('E_ADDRESS_IN_USE', `address ${ownIp} of "${c.name}" is already used on this host by ${link.name}`, 'pick another address in the subnet');
      }
    }
    for (const r of facts.running) {
      if (r.container !== c.name && r.address.split('/')[0] === ownIp) {
        add('E_ADDRESS_IN_USE', `address ${ownIp} of "${c.name}" is already used by the running container "${r.container}"`, 'pick another address, or stop that container first');
      }
    }
  }
  return problems;
}

/** Gather the facts of this host (`ip -j`, the running containers' state) and check the container. */
export async function hostNetworkProblems(c: ContainerPlan, options: { probe?: LinkProbe; runDir?: string; tools?: NetworkTools } = {}): Promise<HostNetworkProblem[]> {
  const needsLinks = c.network !== undefined;
  const facts: HostNetworkFacts = {
    links: needsLinks ? await (options.probe ?? ipLinkProbe).links() : [],
    running: needsLinks ? runningNetworks(options.runDir) : [],
    exists: (p) => fs.existsSync(p),
  };
  return checkHostNetwork(c, facts, options.tools);
}

/**
 * For `haco start`, before the launcher runs: throws a HacoError naming every problem (the first one's
 * code and hint; the others listed in the message) so nothing is created for a network that cannot work.
 */
export async function networkPreflight(c: ContainerPlan, options: { probe?: LinkProbe; runDir?: string; tools?: NetworkTools } = {}): Promise<void> {
  if (!c.network && !c.usermodeNetwork && !c.namespaces.enter.some((r) => r.kind === 'net')) return;
  const problems = await hostNetworkProblems(c, options);
  if (problems.length === 0) return;
  const [first, ...rest] = problems as [HostNetworkProblem, ...HostNetworkProblem[]];
  const message = rest.length === 0 ? first.message : [first.message, ...rest.map((p) => `also: ${p.message}`)].join('\n');
  throw new HacoError(first.code, message, { hint: first.hint, exitCode: first.code === 'E_NO_TOOL' ? EXIT.host : EXIT.state });
}
