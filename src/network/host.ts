import { HacoError, HostError } from '../errors';
import { installHint } from '../host/tools';
import { resolveNetworkTools } from './tools';

/**
 * What haco reads about the host's links, through `ip -j` (iproute2's JSON output), so that the rest of
 * the network code works on plain objects and unit tests can hand in fakes.
 */

/** One link as haco needs it (a subset of `ip -j -d link show`). */
export interface HostLink {
  name: string;
  /** `bridge`, `veth`, `dummy`…; undefined for plain devices such as a physical NIC. */
  kind: string | undefined;
  /** The bridge this link is plugged into, if any. */
  master: string | undefined;
  up: boolean;
  /** IPv4 addresses as `a.b.c.d/len`. */
  ipv4: string[];
}

/** Reads the links of the namespace the process runs in; injectable for tests. */
export interface LinkProbe {
  links(): Promise<HostLink[]>;
}

interface IpLinkJson {
  ifname: string;
  flags?: string[];
  master?: string;
  linkinfo?: { info_kind?: string };
}

interface IpAddrJson {
  ifname: string;
  addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }>;
}

/**
 * Run `ip ARGS…` and return stdout; a failure becomes a HacoError that shows the command and its stderr.
 * node's execFile rather than execa: this runs on the `haco start` hot path, whose bundle must stay small.
 */
export async function runIp(args: readonly string[]): Promise<string> {
  const { execFile } = await import('node:child_process');
  const ip = resolveNetworkTools().ip;
  return new Promise<string>((resolve, reject) => {
    execFile(ip, [...args], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new HostError('E_NO_TOOL', `${ip} is not installed`, installHint(['ip'])));
      }
      const detail = String(stderr).trim();
      reject(new HacoError('E_IP_FAILED', `ip ${args.join(' ')} failed${detail ? `: ${detail}` : ''}`, {
        hint: 'run the same command by hand to see why; most ip changes need root',
      }));
    });
  });
}

/** Merge `ip -j -d link show` and `ip -j addr show` into HostLinks. */
export function parseIpJson(linkJson: string, addrJson: string): HostLink[] {
  const links = JSON.parse(linkJson || '[]') as IpLinkJson[];
  const addrs = JSON.parse(addrJson || '[]') as IpAddrJson[];
  const v4 = new Map<string, string[]>();
  for (const a of addrs) {
    const list = (a.addr_info ?? [])
      .filter((i) => i.family === 'inet' && i.local !== undefined && i.prefixlen !== undefined)
      .map((i) => `${i.local!}/${i.prefixlen!}`);
    v4.set(a.ifname, list);
  }
  return links.map((l) => ({
    name: l.ifname,
    kind: l.linkinfo?.info_kind,
    master: l.master,
    up: (l.flags ?? []).includes('UP'),
    ipv4: v4.get(l.ifname) ?? [],
  }));
}

/** The real probe: two `ip -j` calls in the current network namespace. */
export const ipLinkProbe: LinkProbe = {
  async links() {
    const [linkJson, addrJson] = await Promise.all([runIp(['-j', '-d', 'link', 'show']), runIp(['-j', 'addr', 'show'])]);
    return parseIpJson(linkJson, addrJson);
  },
};
