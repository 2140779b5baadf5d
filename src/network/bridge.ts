import { EXIT, HacoError, UsageError } from '../errors';
import { formatIpv4, overlaps, parseCidr, subnetText } from '../plan/cidr';
import { bridgeEnsureCommands } from './commands';
import { ipLinkProbe, runIp, type HostLink, type LinkProbe } from './host';
import { isInterfaceName } from '../plan/network-validate';

/** A bridge as `haco net ls` and `haco net bridge create --json` show it. */
export interface BridgeInfo {
  name: string;
  up: boolean;
  /** IPv4 addresses as `a.b.c.d/len`. */
  addresses: string[];
  /** Links plugged into it (the host ends of containers' veths). */
  ports: string[];
}

export interface BridgeCreateResult extends BridgeInfo {
  /** False when the bridge already existed (the command is idempotent). */
  created: boolean;
  /** False when the bridge already had the address. */
  addressAdded: boolean;
  /** The commands that were run, in order, for learners (`ip …`). */
  commands: string[][];
}

export interface BridgeRemoveResult {
  name: string;
  /** False when there was no such bridge (nothing to do). */
  removed: boolean;
  /** Ports that were still plugged in (only with force). */
  detached: string[];
  commands: string[][];
}

/** Runs one `ip` argv; the seam tests replace. */
export type IpRunner = (args: readonly string[]) => Promise<string>;

export interface BridgeDeps {
  probe?: LinkProbe;
  run?: IpRunner;
}

function infoOf(link: HostLink, all: HostLink[]): BridgeInfo {
  return { name: link.name, up: link.up, addresses: link.ipv4, ports: all.filter((l) => l.master === link.name).map((l) => l.name).sort() };
}

/** Every bridge of the current network namespace with its addresses and ports. */
export async function listBridges(deps: BridgeDeps = {}): Promise<BridgeInfo[]> {
  const links = await (deps.probe ?? ipLinkProbe).links();
  return links.filter((l) => l.kind === 'bridge').map((l) => infoOf(l, links)).sort((a, b) => a.name.localeCompare(b.name));
}

/** Check a bridge name and address before anything is run. */
export function checkBridgeArgs(name: string, address?: string): void {
  if (!isInterfaceName(name)) throw new UsageError(`"${name}" is not a valid interface name (1–15 characters, no spaces, "/" or ":")`, 'choose a shorter name, e.g. haco0');
  if (address === undefined) return;
  const cidr = parseCidr(address);
  if (!cidr) throw new UsageError(`"${address}" is not an IPv4 CIDR`, 'write the bridge address with its prefix, e.g. 10.88.0.1/24');
  if (cidr.prefix > 30) throw new UsageError(`a /${cidr.prefix} bridge leaves no addresses for containers`, 'use e.g. a /24');
}

/**
 * `haco net bridge create NAME --address CIDR`: the same commands a container's start runs (so the two
 * never disagree), and idempotent: an existing bridge keeps its ports, gains the address if it lacks it.
 * Refuses a non-bridge link of that name, and an address that another link of the host already has.
 */
export async function createBridge(name: string, address: string, deps: BridgeDeps = {}): Promise<BridgeCreateResult> {
  checkBridgeArgs(name, address);
  const probe = deps.probe ?? ipLinkProbe;
  const run = deps.run ?? runIp;
  const before = await probe.links();
  const existing = before.find((l) => l.name === name);
  if (existing && existing.kind !== 'bridge') {
    throw new HacoError('E_NOT_A_BRIDGE', `${name} exists but is a ${existing.kind ?? 'plain'} link, not a bridge`, { hint: 'choose another name', exitCode: EXIT.state });
  }
  const cidr = parseCidr(address)!;
  const ip = formatIpv4(cidr.address);
  for (const l of before) {
    if (l.name !== name && l.ipv4.some((a) => a.split('/')[0] === ip)) {
      throw new HacoError('E_ADDRESS_IN_USE', `address ${ip} is already used by ${l.name}`, { hint: 'pick another address for the bridge', exitCode: EXIT.state });
    }
    const overlapping = l.name !== name && l.ipv4.map(parseCidr).find((a) => a !== undefined && overlaps(a, cidr));
    if (overlapping) {
      throw new HacoError('E_SUBNET_IN_USE', `subnet ${subnetText(cidr)} overlaps ${overlapping ? subnetText(overlapping) : ''} on ${l.name}`, { hint: 'give the bridge a subnet of its own, e.g. 10.88.1.1/24', exitCode: EXIT.state });
    }
  }
  const hadAddress = existing?.ipv4.includes(`${ip}/${cidr.prefix}`) ?? false;
  // The shell wrapper of the first command only exists for the launcher; here each step runs directly.
  const commands: string[][] = [];
  if (!existing) commands.push(['link', 'add', name, 'type', 'bridge']);
  const [, addr, up] = bridgeEnsureCommands(name, address);
  if (!hadAddress) commands.push(addr!.argv.slice(1));
  if (!existing?.up) commands.push(up!.argv.slice(1));
  try {
    for (const args of commands) await run(args);
  } catch (error) {
    // A bridge this call created but could not finish (address or up failed) would linger half-made.
    if (!existing) await run(['link', 'del', name]).catch(() => undefined);
    throw error;
  }
  const after = await probe.links();
  const link = after.find((l) => l.name === name);
  if (!link) throw new HacoError('E_BRIDGE_MISSING', `bridge ${name} vanished right after it was created`, { hint: 'another program removed it; try again' });
  return { ...infoOf(link, after), created: !existing, addressAdded: !hadAddress, commands: commands.map((a) => ['ip', ...a]) };
}

/**
 * `haco net bridge rm NAME`: idempotent (a missing bridge is success with `removed: false`). A bridge
 * with ports still plugged in belongs to running containers; it is only removed with `force`.
 */
export async function removeBridge(name: string, options: { force?: boolean } = {}, deps: BridgeDeps = {}): Promise<BridgeRemoveResult> {
  checkBridgeArgs(name);
  const links = await (deps.probe ?? ipLinkProbe).links();
  const link = links.find((l) => l.name === name);
  if (!link) return { name, removed: false, detached: [], commands: [] };
  if (link.kind !== 'bridge') {
    throw new HacoError('E_NOT_A_BRIDGE', `${name} is a ${link.kind ?? 'plain'} link, not a bridge: haco leaves it alone`, { hint: `remove it yourself if you mean it: ip link del ${name}`, exitCode: EXIT.state });
  }
  const ports = infoOf(link, links).ports;
  if (ports.length > 0 && !options.force) {
    throw new HacoError('E_BRIDGE_BUSY', `bridge ${name} still has ports: ${ports.join(', ')}`, { hint: 'stop the containers using it first, or pass --force (their network goes down)', exitCode: EXIT.state });
  }
  const args = ['link', 'del', 'dev', name];
  await (deps.run ?? runIp)(args);
  return { name, removed: true, detached: ports, commands: [['ip', ...args]] };
}
