import { findTool } from '../host/tools';

/**
 * Absolute paths of the host programs the network steps run. The launcher starts hooks with execv(2),
 * which does not search PATH, so every argv[0] in the spec must be absolute.
 */
export interface NetworkTools {
  /** iproute2's `ip`. */
  ip: string;
  /** util-linux `nsenter`, to run `ip` inside the container's net namespace from the host. */
  nsenter: string;
  /** A POSIX shell, only for steps that need `$HACO_PID` (the launcher does not substitute fields). */
  sh: string;
  /** nftables' `nft`, only for forwarded ports (default /usr/sbin/nft). */
  nft?: string;
}

/** Where Debian and Ubuntu (merged /usr) install them; used when a lookup finds nothing. */
export const DEFAULT_NETWORK_TOOLS: Readonly<NetworkTools> = Object.freeze({
  ip: '/usr/sbin/ip',
  nsenter: '/usr/bin/nsenter',
  sh: '/bin/sh',
  nft: '/usr/sbin/nft',
});

let resolved: NetworkTools | undefined;

/**
 * The tools as found on this host (PATH plus the sbin directories), falling back to the Debian paths so
 * that `haco plan --launch` still prints a readable spec on a machine without iproute2. Cached: the
 * answer does not change while one haco command runs.
 */
export function resolveNetworkTools(): NetworkTools {
  resolved ??= {
    ip: findTool('ip') ?? DEFAULT_NETWORK_TOOLS.ip,
    nsenter: findTool('nsenter') ?? DEFAULT_NETWORK_TOOLS.nsenter,
    sh: '/bin/sh',
    nft: findTool('nft') ?? DEFAULT_NETWORK_TOOLS.nft!,
  };
  return resolved;
}
