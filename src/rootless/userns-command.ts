import { currentIdentity, rootlessMaps, type RootlessIdentity } from './identity';

/**
 * unshare(1) options for a command that must run as the container's root (tar keeping owners, rm of a
 * tree whose files belong to subordinate ids): the same maps a rootless container gets (rootlessMaps),
 * the user's own id as root through --map-root-user, the subordinate ranges through --map-users and
 * --map-groups (util-linux runs newuidmap/newgidmap for them). Only a user namespace: no mounts, no pid ns.
 */
export function userNamespaceArgv(id: RootlessIdentity): string[] {
  const maps = rootlessMaps(id);
  const ranges = (flag: string, entries: typeof maps.uidMap) =>
    entries.filter((e) => e.inside !== 0).map((e) => `${flag}=${e.outside},${e.inside},${e.count}`);
  return ['unshare', '--map-root-user', ...ranges('--map-users', maps.uidMap), ...ranges('--map-groups', maps.gidMap), '--'];
}

/** The wrapper for the running user, or nothing for root (who needs no namespace to own any id). */
export function asContainerRoot(argv: readonly string[]): { command: string; args: string[]; identity?: RootlessIdentity } {
  const id = currentIdentity();
  if (!id) return { command: argv[0]!, args: argv.slice(1) };
  const wrapped = [...userNamespaceArgv(id), ...argv];
  return { command: wrapped[0]!, args: wrapped.slice(1), identity: id };
}
