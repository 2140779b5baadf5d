import type { UsermodeNetworkPlan } from '../plan/types';
import { findTool } from '../host/tools';
import type { NetworkCommand } from './commands';

/**
 * User-mode networking (docs/network.md): slirp4netns or pasta run next to the container, as a launcher
 * `helper` step (native/src/helper.c): started in the wire phase once the child's net namespace exists,
 * ready when it writes to fd 3, stopped by the launcher (the supervisor, when detached) when the run is
 * over, and killed by the kernel if the launcher dies. Pure: the same plan gives the same argv.
 */

/** The fd a helper reports readiness on (the launcher's pipe; slirp4netns --ready-fd, pasta's pid file). */
export const HELPER_READY_FD = 3;

/** Absolute paths of the helper programs (the launcher uses execv(2), which does not search PATH). */
export interface UsermodeTools {
  sh: string;
  slirp4netns: string;
  pasta: string;
}

export const DEFAULT_USERMODE_TOOLS: Readonly<UsermodeTools> = Object.freeze({
  sh: '/bin/sh',
  slirp4netns: '/usr/bin/slirp4netns',
  pasta: '/usr/bin/pasta',
});

/** The tools as found on this host, falling back to the Debian paths (so `haco plan --launch` still reads well). */
export function resolveUsermodeTools(): UsermodeTools {
  return {
    sh: '/bin/sh',
    slirp4netns: findTool('slirp4netns') ?? DEFAULT_USERMODE_TOOLS.slirp4netns,
    pasta: findTool('pasta') ?? DEFAULT_USERMODE_TOOLS.pasta,
  };
}

/** slirp4netns's fixed addresses (its defaults, documented in slirp4netns(1)). */
export const SLIRP_ADDRESSES = { network: '10.0.2.0/24', container: '10.0.2.100', gateway: '10.0.2.2', dns: '10.0.2.3' } as const;

/**
 * The `helper` step's argv (after FD). `$HACO_PID` is only known at launch, so the program runs through
 * `/bin/sh -c 'exec …'` like the bridge's wire steps. `asRoot`: the launcher runs as root on the host.
 */
export function usermodeHelperCommand(net: UsermodeNetworkPlan, asRoot: boolean, t: UsermodeTools = DEFAULT_USERMODE_TOOLS): NetworkCommand {
  const fd = HELPER_READY_FD;
  if (net.tool === 'slirp4netns') {
    // --configure: tap0 gets 10.0.2.100/24 and the default route via 10.0.2.2 inside the namespace.
    // Given a pid, slirp4netns joins that process's user namespace (when it has one) and net namespace
    // itself, so the same command works for root and for an ordinary user.
    // It writes progress lines ("sent tapfd=…") on stdout and stderr at every start: not the container's
    // output, so both are discarded. A failure still shows: the launcher reports its exit status before
    // ready, and the command from `haco plan --launch` run by hand prints the reason.
    const args = [t.slirp4netns, '--configure', '--mtu=65520', `--ready-fd=${fd}`, ...(net.hostLoopback ? [] : ['--disable-host-loopback']), '"$HACO_PID"', 'tap0', '>/dev/null', '2>&1'];
    return {
      argv: [t.sh, '-c', ['exec', ...args].join(' ')],
      why: `slirp4netns: tap0 ${SLIRP_ADDRESSES.container}/24 inside, gateway ${SLIRP_ADDRESSES.gateway}${net.hostLoopback ? ' (= the host\'s 127.0.0.1)' : ''}, traffic carried by host sockets; ready on fd ${fd}`,
    };
  }
  const ports = (proto: 'tcp' | 'udp') => (net.ports ?? []).filter((p) => p.protocol === proto).map((p) => `${p.host}:${p.container}`);
  const tcp = ports('tcp');
  const udp = ports('udp');
  const args = [
    t.pasta,
    '--foreground', // the launcher is its parent and stops it; pasta must not daemonize away from it
    '--quiet',
    '--config-net', // address, routes and link up inside, copied from the host's default-route interface
    // the pid file is written once pasta is set up: written into the launcher's pipe, it is the ready signal
    '--pid', `/proc/self/fd/${fd}`,
    // no forwarding unless asked (pasta's default for a pid target is to follow every bound port)
    '-t', tcp.length > 0 ? tcp.join(',') : 'none',
    '-u', udp.length > 0 ? udp.join(',') : 'none',
    '-T', 'none',
    '-U', 'none',
    ...(net.hostLoopback ? [] : ['--no-map-gw']),
  ];
  // As root, pasta would switch to nobody and then fail to open the container's namespace files (they
  // belong to root, and pasta gives up its capabilities first). It keeps uid 0 and is handed the net
  // namespace as an fd the shell opened. As an ordinary user it joins the user and net namespaces of
  // the pid, as it is meant to.
  const target = asRoot ? ['--runas', '0:0', '--netns', '/proc/self/fd/4', '4</proc/"$HACO_PID"/ns/net'] : ['"$HACO_PID"'];
  return {
    argv: [t.sh, '-c', ['exec', ...args, ...target].join(' ')],
    why: `pasta: the host's address and routes inside, traffic carried by host sockets${tcp.length + udp.length > 0 ? `, host ports ${[...tcp, ...udp].join(', ')} forwarded` : ''}; ready on fd ${fd}`,
  };
}
