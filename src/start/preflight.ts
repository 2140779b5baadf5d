import * as fs from 'node:fs';
import * as posix from 'node:path/posix';
import { EXIT, HacoError, HostError } from '../errors';
import type { ContainerPlan, OverlayPlan } from '../plan/types';
import { LXCFS_MOUNTPOINT, lxcfsSource } from '../plan/lxcfs';
import { lxcfsMounted } from '../lxcfs/mount';

/**
 * Checks made in TypeScript before the launcher runs, because here they can say what to do: the
 * launcher would only report `execvp: ENOENT` or `pivot_root: EINVAL`.
 */
export function preflight(container: ContainerPlan, file: string): void {
  if (process.geteuid?.() !== 0) rootlessPreflight(container, file);
  const missing = missingRoots(container)[0];
  if (missing !== undefined) {
    throw new HacoError('E_NO_ROOTFS', `the rootfs of "${container.name}" does not exist: ${missing}`, {
      hint: `build it and start in one command: haco start --create ${file} (or only build it: haco create ${file})`,
      exitCode: EXIT.state,
    });
  }
  lxcfsPreflight(container);
  const command = container.process.args[0]!;
  if (!findCommand(container, command)) {
    const searched = command.includes('/') ? command : `PATH=${container.process.env['PATH'] ?? ''}`;
    const root = container.rootfs.overlay ? `the layers ${[container.rootfs.overlay.upper, ...container.rootfs.overlay.lower].join(', ')}` : container.rootfs.path;
    throw new HacoError('E_NO_COMMAND', `"${command}" is not in the rootfs of "${container.name}" (looked for ${searched} under ${root})`, {
      hint: `the command is .command() in ${file}, or what follows \`--\`; use one that exists in the rootfs (an absolute path, or one on that PATH), or add it to the bootstrap or a provision step`,
      exitCode: EXIT.state,
    });
  }
}

/**
 * An ordinary user starts in a user namespace of their own (docs/rootless.md): the kernel must allow it,
 * and what needs root on the host side (a bridge, veths, nft) is refused here with the reason rather than
 * failing halfway through the launch.
 */
function rootlessPreflight(container: ContainerPlan, file: string): void {
  const max = readNumber('/proc/sys/user/max_user_namespaces');
  const cloneAllowed = readNumber('/proc/sys/kernel/unprivileged_userns_clone');
  if (max === 0 || cloneAllowed === 0 || !fs.existsSync('/proc/self/ns/user')) {
    const why = max === 0 ? 'user.max_user_namespaces is 0' : cloneAllowed === 0 ? 'kernel.unprivileged_userns_clone is 0' : 'this kernel has no user namespaces';
    throw new HostError('E_NOT_ROOT', `starting "${container.name}" without root needs an unprivileged user namespace, and ${why}`, `run it as root (sudo haco start ${file}), or allow them: sudo sysctl ${max === 0 ? 'user.max_user_namespaces=15000' : 'kernel.unprivileged_userns_clone=1'}`);
  }
  if (container.rootfs.owner === 'idmap') {
    throw new HostError('E_ROOTLESS_UNSUPPORTED', `container "${container.name}" asks for an id-mapped rootfs (.rootfsOwner('idmap')), which needs CAP_SYS_ADMIN over the rootfs's filesystem: root on the host`, `run it as root, or drop .rootfsOwner('idmap'): without root your own rootfs already belongs to the container's root (docs/rootless.md)`);
  }
  if (container.network) {
    throw new HostError('E_ROOTLESS_UNSUPPORTED', `container "${container.name}" has a bridged network (bridge ${container.network.bridge}), which needs root on the host (a veth pair, the bridge, nft rules)`, `run it as root (sudo haco start ${file}), or leave .network() out: the container then has its own net namespace with only lo`);
  }
}

function readNumber(file: string): number | undefined {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/**
 * `.lxcfs()` binds files of the host's lxcfs: without a running lxcfs the launcher would fail on a missing
 * source (or, worse, the container would quietly show the host's totals), so say how to start it.
 */
export function lxcfsPreflight(container: ContainerPlan): void {
  const l = container.lxcfs;
  if (!l) return;
  if (!lxcfsMounted(l.mountpoint)) {
    throw new HostError('E_LXCFS_NOT_RUNNING', `"${container.name}" binds lxcfs files (.lxcfs()), but lxcfs is not mounted at ${l.mountpoint}`, `start it: haco lxcfs start${l.mountpoint === LXCFS_MOUNTPOINT ? '' : ` --mountpoint ${l.mountpoint}`} (or systemctl start lxcfs); haco lxcfs status tells what runs`);
  }
  const missing = l.files.find((f) => !fs.existsSync(lxcfsSource(l, f)));
  if (missing !== undefined) {
    throw new HostError('E_LXCFS_FILE', `the lxcfs at ${l.mountpoint} does not provide ${missing} (${lxcfsSource(l, missing)} is missing)`, `leave it out: .lxcfs({ files: [${l.files.filter((f) => f !== missing).map((f) => `'${f}'`).join(', ')}] })`);
  }
}

/** The trees a start needs that are not there: the rootfs, or an overlay's lower layers. */
export function missingRoots(container: ContainerPlan): string[] {
  const roots = container.rootfs.overlay ? container.rootfs.overlay.lower : [container.rootfs.path];
  return roots.filter((root) => !isDirectory(root));
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Where a path inside the container lives on the host before the launcher runs (binds first); undefined: hidden. */
function hostPathFor(container: ContainerPlan, inside: string): string | undefined {
  const binds: Array<[string, string]> = [];
  if (container.bootstrap.strategy === 'host') for (const b of container.bootstrap.binds) binds.push([b, b]);
  for (const m of container.mounts) if (m.type === 'bind') binds.push([m.target, m.source]);
  for (const [target, source] of binds.reverse()) {
    if (inside === target || inside.startsWith(`${target}/`)) return source + inside.slice(target.length);
  }
  const overlay = container.rootfs.overlay;
  return overlay ? overlayHostPath(overlay, inside) : container.rootfs.path + inside;
}

/**
 * The host path overlayfs will show at INSIDE: the upper layer (where `haco provision` writes) first,
 * then the lower layers top-most first. A whiteout (a 0/0 character device) hides what is below it.
 */
function overlayHostPath(overlay: OverlayPlan, inside: string): string | undefined {
  for (const layer of [overlay.upper, ...overlay.lower]) {
    const candidate = layer + inside;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(candidate);
    } catch {
      continue;
    }
    return st.isCharacterDevice() && st.rdev === 0 ? undefined : candidate;
  }
  return overlay.lower[0]! + inside;
}

/** Resolves symlinks the way the kernel will once inside the rootfs: absolute links restart at its root. */
function existsInside(container: ContainerPlan, inside: string, hops = 0): boolean {
  if (hops > 40) return false;
  const parts = posix.normalize(inside).split('/').filter(Boolean);
  let current = '/';
  for (const [i, part] of parts.entries()) {
    const next = posix.join(current, part);
    const host = hostPathFor(container, next);
    let stat: fs.Stats;
    try {
      if (host === undefined) return false;
      stat = fs.lstatSync(host);
    } catch {
      return false;
    }
    if (stat.isSymbolicLink()) {
      const link = fs.readlinkSync(host);
      const target = posix.join(link.startsWith('/') ? link : posix.join(current, link), ...parts.slice(i + 1));
      return existsInside(container, target, hops + 1);
    }
    current = next;
  }
  return true;
}

/** Whether COMMAND (absolute, relative to the workdir, or looked up on PATH) exists inside the rootfs. */
export function findCommand(container: ContainerPlan, command: string): boolean {
  if (command.includes('/')) return existsInside(container, posix.resolve(container.process.cwd, command));
  const path = container.process.env['PATH'] ?? '';
  return path.split(':').some((dir) => dir.startsWith('/') && existsInside(container, posix.join(dir, command)));
}
