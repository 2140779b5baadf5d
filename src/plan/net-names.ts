import { fingerprint } from './fingerprint';

/**
 * Names of the host-side network objects of a container (veth, nftables chains, the link's owner tag).
 * They live in one namespace shared by every container on the host, so they must be derived from the
 * container name injectively: `s-c1` and `sc1` used to both become `vh-sc1`, and the failed launch of one
 * deleted the running other's veth and port forwards.
 */

/** Interface names hold at most IFNAMSIZ-1 = 15 bytes. */
export const IFNAME_MAX = 15;

/** Longest container name used as is in host names; longer ones are hashed (always one char longer). */
const LITERAL_MAX = 11;

/**
 * A short id for CONTAINER, at most 12 chars of [a-zA-Z0-9_.-]: the name itself when it has at most 11
 * characters, otherwise its first 4 characters and 8 hex digits of its fingerprint (exactly 12). The two
 * forms never meet (their lengths differ) and the first is the identity, so two names collide only when
 * two long names share their first 4 characters and 32 bits of hash.
 */
export function hostNetId(container: string): string {
  return container.length <= LITERAL_MAX ? container : `${container.slice(0, 4)}${fingerprint(container).slice(0, 8)}`;
}

/** The default host end of the veth pair: `vh-ID`, at most 15 characters. */
export function defaultVethHost(container: string): string {
  return `vh-${hostNetId(container)}`;
}

/**
 * The container's two chains in the `haco` nft table: `pre-ID` (prerouting: traffic from other hosts or
 * namespaces) and `out-ID` (output: connections made on the host itself). Named after the container, not
 * after vethHost (which a definition may choose, and choose badly): two containers never share a chain,
 * and as only one supervisor runs per name (its state lock), a chain of that name is that container's.
 */
export function portChains(container: string): { prerouting: string; output: string } {
  const id = hostNetId(container);
  return { prerouting: `pre-${id}`, output: `out-${id}` };
}

/** The nftables chain (in the `haco` table) holding CONTAINER's outbound masquerade rule. */
export function natChain(container: string): string {
  return `nat-${hostNetId(container)}`;
}

/**
 * The interface alias (`ip link set … alias`, IFLA_IFALIAS) a launch gives the host veth it created.
 * Cleanup deletes the link only when it carries this container's tag: a launch that failed because the
 * name was taken must never delete the link of the container that holds it.
 */
export function linkOwnerTag(container: string): string {
  return `haco:${container}`;
}
