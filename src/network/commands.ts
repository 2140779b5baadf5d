import { fingerprint } from '../plan/fingerprint';
import type { NetworkPlan } from '../plan/types';
import { linkOwnerTag, natChain, portChains } from '../plan/net-names';
import { DEFAULT_NETWORK_TOOLS, type NetworkTools } from './tools';

/**
 * The iproute2 commands that give a container its network, as argv arrays. Pure: the same plan always
 * gives the same commands, so `haco plan --launch` shows exactly what the launcher will run.
 *
 * The launcher runs wire steps with execv(2) and substitutes nothing in them; only the child's pid in
 * `$HACO_PID` is new at that point. Commands that need it are wrapped as `/bin/sh -c 'exec …'` (the shell
 * replaces itself with the command, so the trace shows one command per step); the others run directly.
 */

/** One command with the reason it is there (shown as a comment in the launch spec). */
export interface NetworkCommand {
  argv: string[];
  /** One line for learners: what this step builds. */
  why: string;
}

/** Quote for /bin/sh: names are validated, but a quoted field can never become two words or a command. */
export function shQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

/**
 * The name the guest end has in the host namespace between `ip link add` and `ip link set … netns`.
 * It must not be `vethGuest` itself (the host usually has an `eth0` already) and must be unique on the
 * host; it is derived from `vethHost`, which is unique there, so two containers never pick the same one.
 */
export function temporaryGuestName(net: NetworkPlan): string {
  return `hg${fingerprint(net.vethHost).slice(0, 10)}`;
}

/** The host-side half of a shell step that runs `ip …` inside the container's net namespace. */
function inContainer(t: NetworkTools, ipArgs: string[]): string[] {
  const script = ['exec', t.nsenter, '--net=/proc/"$HACO_PID"/ns/net', t.ip, ...ipArgs.map(shQuote)].join(' ');
  return [t.sh, '-c', script];
}

/**
 * Make sure the bridge exists, has its address and is up. Idempotent and safe when two containers start
 * at once: `ip link add` may lose the race with "File exists", which is fine as long as what exists is a
 * bridge.
 */
export function bridgeEnsureCommands(bridge: string, address: string, tools: NetworkTools = DEFAULT_NETWORK_TOOLS, address6?: string): NetworkCommand[] {
  const ip = shQuote(tools.ip);
  const br = shQuote(bridge);
  return [
    {
      // `ip link show type bridge dev X` exits 0 for any X that exists, printing it only if it is a bridge.
      argv: [
        tools.sh,
        '-c',
        `${ip} link add ${br} type bridge 2>/dev/null || [ -n "$(${ip} -o link show type bridge dev ${br} 2>/dev/null)" ] || { echo ${shQuote(`cannot create bridge ${bridge}, or ${bridge} exists and is not a bridge`)} >&2; exit 1; }`,
      ],
      why: `create bridge ${bridge} unless it exists (and make sure what exists is a bridge)`,
    },
    // `replace` instead of `add`: no "File exists" when the bridge already has this address.
    { argv: [tools.ip, 'addr', 'replace', address, 'dev', bridge], why: `give ${bridge} the gateway address ${address}` },
    { argv: [tools.ip, 'link', 'set', bridge, 'up'], why: `bring ${bridge} up` },
    // nodad: usable at once, no duplicate address detection (haco's validation keeps addresses unique).
    ...(address6 === undefined ? [] : [{ argv: [tools.ip, '-6', 'addr', 'replace', address6, 'dev', bridge, 'nodad'], why: `give ${bridge} the IPv6 gateway address ${address6}` }]),
  ];
}

/**
 * Create the veth pair and tag the host end as CONTAINER's (its alias), as one step: `ip link add` fails
 * when the name is taken (another container's, or a leftover), and then nothing is tagged, so this launch's
 * cleanup leaves the link alone. If the tag cannot be set, the pair just made is deleted at once: an
 * untagged link would never be cleaned up.
 */
function vethAddCommand(net: NetworkPlan, owner: string, tmp: string, tools: NetworkTools): NetworkCommand {
  const ip = shQuote(tools.ip);
  const dev = shQuote(net.vethHost);
  const tag = shQuote(linkOwnerTag(owner));
  return {
    argv: [tools.sh, '-c', `${ip} link add ${dev} type veth peer name ${shQuote(tmp)} || exit 1; ${ip} link set dev ${dev} alias ${tag} || { ${ip} link del dev ${dev}; exit 1; }`],
    why: `veth pair: ${net.vethHost} stays on the host (alias ${linkOwnerTag(owner)}: this launch made it), ${tmp} becomes the container's ${net.vethGuest}`,
  };
}

/**
 * Host commands for the wire phase (the child exists in its new net namespace and waits), in order:
 * bridge, veth pair, host end on the bridge, guest end moved into the container, then inside it:
 * name, address, up, default route. `lo` is brought up by the launcher's own `lo-up` step in the child.
 * OWNER is the container's name: it tags what the launch creates, so cleanup removes only that.
 */
export function networkWireCommands(net: NetworkPlan, owner: string, tools: NetworkTools = DEFAULT_NETWORK_TOOLS): NetworkCommand[] {
  const tmp = temporaryGuestName(net);
  const commands: NetworkCommand[] = [];
  if (net.createBridge) commands.push(...bridgeEnsureCommands(net.bridge, net.bridgeAddress, tools, net.address6 === undefined ? undefined : net.bridgeAddress6));
  commands.push(
    vethAddCommand(net, owner, tmp, tools),
    { argv: [tools.ip, 'link', 'set', net.vethHost, 'master', net.bridge], why: `plug ${net.vethHost} into bridge ${net.bridge}` },
    { argv: [tools.ip, 'link', 'set', net.vethHost, 'up'], why: `bring ${net.vethHost} up` },
    {
      argv: [tools.sh, '-c', `exec ${shQuote(tools.ip)} link set ${shQuote(tmp)} netns "$HACO_PID"`],
      why: `move ${tmp} into the container's net namespace (pid $HACO_PID)`,
    },
    { argv: inContainer(tools, ['link', 'set', tmp, 'name', net.vethGuest]), why: `inside: rename ${tmp} to ${net.vethGuest}` },
    { argv: inContainer(tools, ['addr', 'add', net.address, 'dev', net.vethGuest]), why: `inside: address ${net.address}` },
    { argv: inContainer(tools, ['link', 'set', net.vethGuest, 'up']), why: `inside: bring ${net.vethGuest} up` },
  );
  if (net.gateway !== undefined && net.gateway !== '') {
    commands.push({
      argv: inContainer(tools, ['route', 'add', 'default', 'via', net.gateway, 'dev', net.vethGuest]),
      why: `inside: default route via ${net.gateway}`,
    });
  }
  if (net.address6 !== undefined) {
    commands.push({ argv: inContainer(tools, ['-6', 'addr', 'add', net.address6, 'dev', net.vethGuest, 'nodad']), why: `inside: IPv6 address ${net.address6}` });
    if (net.gateway6 !== undefined && net.gateway6 !== '') {
      commands.push({ argv: inContainer(tools, ['-6', 'route', 'add', 'default', 'via', net.gateway6, 'dev', net.vethGuest]), why: `inside: IPv6 default route via ${net.gateway6}` });
    }
  }
  commands.push(...portForwardCommands(net, owner, tools));
  commands.push(...natCommands(net, owner, tools));
  commands.push(...nat6Commands(net, owner, tools));
  return commands;
}

/**
 * Outbound NAT: packets from the container's address that leave by any interface but the bridge get the
 * host's address on that interface (masquerade), in a chain of this container's own, so that its cleanup
 * removes exactly this rule. Forwarding must be on for the host to route them at all; it is a setting of the
 * host's whole network namespace that others (Docker, libvirt) rely on too, so it is turned on, never off.
 */
export function natCommands(net: NetworkPlan, owner: string, tools: NetworkTools = DEFAULT_NETWORK_TOOLS): NetworkCommand[] {
  if (!net.nat) return [];
  const nft = tools.nft ?? DEFAULT_NETWORK_TOOLS.nft!;
  const chain = natChain(owner);
  const from = net.address.replace(/\/\d+$/, '');
  return [
    {
      argv: [tools.sh, '-c', 'read -r f < /proc/sys/net/ipv4/ip_forward && [ "$f" = 1 ] || echo 1 > /proc/sys/net/ipv4/ip_forward'],
      why: 'turn on IPv4 forwarding in the host\'s network namespace (net.ipv4.ip_forward; left on)',
    },
    { argv: [nft, `add table ip ${NFT_TABLE}`], why: `nftables table ${NFT_TABLE} (add is a no-op when it exists)` },
    {
      argv: [nft, `add chain ip ${NFT_TABLE} ${chain} { type nat hook postrouting priority srcnat ; policy accept ; }`],
      why: `chain ${chain}: outbound NAT for this container`,
    },
    { argv: [nft, `flush chain ip ${NFT_TABLE} ${chain}`], why: `start ${chain} empty (a rule a crash left behind would be a duplicate)` },
    {
      argv: [nft, `add rule ip ${NFT_TABLE} ${chain} ip saddr ${from} oifname != ${net.bridge} masquerade`],
      why: `masquerade ${from} when it leaves by another interface than ${net.bridge}`,
    },
  ];
}

/**
 * Outbound NAT for IPv6, as natCommands does for IPv4: a masquerade for the container's v6 address in a
 * chain of its own in the `ip6 haco` table. IPv6 forwarding (net.ipv6.conf.all.forwarding) is turned on
 * and left on; note that it also makes the kernel ignore router advertisements on interfaces with
 * accept_ra=1 (docs/network.md says so).
 */
export function nat6Commands(net: NetworkPlan, owner: string, tools: NetworkTools = DEFAULT_NETWORK_TOOLS): NetworkCommand[] {
  if (!net.nat || net.address6 === undefined) return [];
  const nft = tools.nft ?? DEFAULT_NETWORK_TOOLS.nft!;
  const chain = natChain(owner);
  const from = net.address6.replace(/\/\d+$/, '');
  return [
    {
      argv: [tools.sh, '-c', 'read -r f < /proc/sys/net/ipv6/conf/all/forwarding && [ "$f" = 1 ] || echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'],
      why: 'turn on IPv6 forwarding in the host\'s network namespace (net.ipv6.conf.all.forwarding; left on)',
    },
    { argv: [nft, `add table ip6 ${NFT_TABLE}`], why: `nftables table ip6 ${NFT_TABLE} (add is a no-op when it exists)` },
    {
      argv: [nft, `add chain ip6 ${NFT_TABLE} ${chain} { type nat hook postrouting priority srcnat ; policy accept ; }`],
      why: `chain ${chain} (ip6): outbound IPv6 NAT for this container`,
    },
    { argv: [nft, `flush chain ip6 ${NFT_TABLE} ${chain}`], why: `start ${chain} (ip6) empty (a rule a crash left behind would be a duplicate)` },
    {
      argv: [nft, `add rule ip6 ${NFT_TABLE} ${chain} ip6 saddr ${from} oifname != ${net.bridge} masquerade`],
      why: `masquerade ${from} when it leaves by another interface than ${net.bridge}`,
    },
  ];
}

/** The nftables table every haco port forward lives in (one per network namespace, kept when empty). */
export const NFT_TABLE = 'haco';

/**
 * Forwarded ports as nftables DNAT rules: for packets to one of the host's own addresses (`fib daddr type
 * local`) on the host port, rewrite the destination to the container's address and port. Each nft
 * command is one argv word, which nft parses as a whole line (no shell involved).
 */
export function portForwardCommands(net: NetworkPlan, owner: string, tools: NetworkTools = DEFAULT_NETWORK_TOOLS): NetworkCommand[] {
  const ports = net.ports ?? [];
  if (ports.length === 0) return [];
  const nft = tools.nft ?? DEFAULT_NETWORK_TOOLS.nft!;
  const chains = portChains(owner);
  const to = net.address.replace(/\/\d+$/, '');
  const commands: NetworkCommand[] = [
    { argv: [nft, `add table ip ${NFT_TABLE}`], why: `nftables table ${NFT_TABLE} for port forwards (add is a no-op when it exists)` },
    {
      argv: [nft, `add chain ip ${NFT_TABLE} ${chains.prerouting} { type nat hook prerouting priority dstnat ; policy accept ; }`],
      why: `chain ${chains.prerouting}: DNAT of incoming packets for this container`,
    },
    // `add chain` keeps an existing chain and its rules: one left by a crash would still hold the old DNAT
    // rules, matched before the new ones. So start each chain empty.
    { argv: [nft, `flush chain ip ${NFT_TABLE} ${chains.prerouting}`], why: `start ${chains.prerouting} empty (rules a crash left behind would win)` },
    {
      argv: [nft, `add chain ip ${NFT_TABLE} ${chains.output} { type nat hook output priority -100 ; policy accept ; }`],
      why: `chain ${chains.output}: DNAT of connections made on the host itself`,
    },
    { argv: [nft, `flush chain ip ${NFT_TABLE} ${chains.output}`], why: `start ${chains.output} empty` },
  ];
  for (const p of ports) {
    for (const chain of [chains.prerouting, chains.output]) {
      commands.push({
        argv: [nft, `add rule ip ${NFT_TABLE} ${chain} fib daddr type local ${p.protocol} dport ${p.host} dnat to ${to}:${p.container}`],
        why: `${p.protocol} host port ${p.host} → ${to}:${p.container} (${chain === chains.output ? 'from the host' : 'incoming'})`,
      });
    }
  }
  return commands;
}

/** Delete an nft chain of the haco table, tolerating that it does not exist (a wire step failed first). */
function chainDeleteCommand(chain: string, tools: NetworkTools, family: 'ip' | 'ip6' = 'ip'): string[] {
  const nft = shQuote(tools.nft ?? DEFAULT_NETWORK_TOOLS.nft!);
  // flush first: older kernels refuse to delete a chain that still holds rules. One nft batch, atomic.
  const batch = `flush chain ${family} ${NFT_TABLE} ${chain} ; delete chain ${family} ${NFT_TABLE} ${chain}`;
  return [tools.sh, '-c', `${nft} ${shQuote(batch)} 2>/dev/null || ! ${nft} list chain ${family} ${NFT_TABLE} ${chain} >/dev/null 2>&1`];
}

/**
 * Delete link NAME if it carries OWNER's tag (its alias, set by the launch that created it), tolerating
 * that it is already gone: the kernel removes a veth pair by itself when the container's net namespace
 * dies, and that may happen just before or just after this command runs. A link with another alias (or
 * none) is another container's, or was there before this launch: it is left alone, and that is success.
 */
export function linkDeleteCommand(name: string, owner: string, tools: NetworkTools = DEFAULT_NETWORK_TOOLS): string[] {
  const ip = shQuote(tools.ip);
  const dev = shQuote(name);
  // `ip -j` prints the alias as "ifalias":"TAG" (container names need no JSON escaping).
  const mine = `${ip} -j link show dev ${dev} 2>/dev/null | grep -qF ${shQuote(`"ifalias":"${linkOwnerTag(owner)}"`)}`;
  return [tools.sh, '-c', `${mine} || exit 0; ${ip} link del dev ${dev} 2>/dev/null || ! ${ip} link show dev ${dev} >/dev/null 2>&1`];
}

/**
 * Host commands run after the container is gone (`cleanup-cmd`): port-forward chains, the host end of the
 * veth if asked, each only when it is this container's (OWNER): see portChains and linkDeleteCommand.
 */
export function networkCleanupCommands(net: NetworkPlan, owner: string, tools: NetworkTools = DEFAULT_NETWORK_TOOLS): NetworkCommand[] {
  const commands: NetworkCommand[] = [];
  // Port forwards always go: a DNAT rule to a container that is gone would catch the port for nothing.
  if ((net.ports ?? []).length > 0) {
    const chains = portChains(owner);
    for (const chain of [chains.prerouting, chains.output]) {
      commands.push({ argv: chainDeleteCommand(chain, tools), why: `delete nft chain ${NFT_TABLE} ${chain} (its port forwards)` });
    }
  }
  if (net.nat) commands.push({ argv: chainDeleteCommand(natChain(owner), tools), why: `delete nft chain ${NFT_TABLE} ${natChain(owner)} (its outbound NAT)` });
  if (net.nat && net.address6 !== undefined) {
    commands.push({ argv: chainDeleteCommand(natChain(owner), tools, 'ip6'), why: `delete nft chain ip6 ${NFT_TABLE} ${natChain(owner)} (its outbound IPv6 NAT)` });
  }
  if (net.cleanup) commands.push({ argv: linkDeleteCommand(net.vethHost, owner, tools), why: `delete ${net.vethHost} (and its peer) if this launch made it (alias ${linkOwnerTag(owner)}) and the kernel has not already` });
  return commands;
}

/** The wire-phase `hook` steps' argv arrays, for the launch-spec compiler. */
export function networkWireSteps(net: NetworkPlan, owner: string, tools: NetworkTools = DEFAULT_NETWORK_TOOLS): string[][] {
  return networkWireCommands(net, owner, tools).map((c) => c.argv);
}

/** The `cleanup-cmd` steps' argv arrays, for the launch-spec compiler. */
export function networkCleanupSteps(net: NetworkPlan, owner: string, tools: NetworkTools = DEFAULT_NETWORK_TOOLS): string[][] {
  return networkCleanupCommands(net, owner, tools).map((c) => c.argv);
}
