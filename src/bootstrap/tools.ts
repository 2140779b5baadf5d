import { HostError } from '../errors';
import type { ContainerPlan } from '../plan/types';

/** Root is needed to create device nodes, chown files to uid 0 and mount. */
export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new HostError('E_NOT_ROOT', `${what} must run as root`, `sudo haco ${what}`);
  }
}

/** Bootstraps that work for an ordinary user (docs/rootless.md): nothing in them needs root on the host. */
export const ROOTLESS_BOOTSTRAPS: readonly string[] = ['host', 'busybox', 'directory', 'tarball', 'debootstrap', 'lxc', 'none'];

/**
 * `haco create` as an ordinary user: allowed when every container's bootstrap works without root (the
 * tree lands under the user's own data root); the others still need root, said with the ones that do not.
 */
export function requireRootFor(what: string, containers: readonly ContainerPlan[]): void {
  if (typeof process.geteuid !== 'function' || process.geteuid() === 0) return;
  const needs = containers.filter((c) => !c.rootfs.overlay && !ROOTLESS_BOOTSTRAPS.includes(c.bootstrap.strategy));
  if (needs.length === 0) return;
  const list = needs.map((c) => `"${c.name}" (${c.bootstrap.strategy})`).join(', ');
  throw new HostError('E_NOT_ROOT', `${what}: the bootstrap of ${list} must run as root`, `sudo haco ${what}; without root, these bootstraps work: ${ROOTLESS_BOOTSTRAPS.filter((b) => b !== 'none').join(', ')} (docs/rootless.md)`);
}
