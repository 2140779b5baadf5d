import type { CgroupSetup } from '../cgroup/types';
import { cgroupLockPath } from '../state/paths';
import type { ContainerPlan } from '../plan/types';
import type { HostFacts } from './host-facts';
import type { SpecWriter } from './spec-writer';
import type { StepName } from './steps';

export interface LaunchHint {
  step: StepName;
  /** Errno name (EPERM) or `*` for any. */
  errno: string;
  text: string;
}

/** The cgroup lock's refusals: for a launch and for `haco rm`'s host-only spec. */
export function cgroupLockHints(lock = cgroupLockPath()): LaunchHint[] {
  return [
    { step: 'cgroup-lock', errno: 'ETIMEDOUT', text: `another process holds ${lock} (a haco start or cleanup that hangs?): see who with \`fuser -v ${lock}\` or \`lsof ${lock}\`` },
    { step: 'cgroup-lock', errno: 'ELOOP', text: `${lock} is a symlink, which haco never follows: remove it (\`rm ${lock}\`) and look for who planted it` },
  ];
}

/**
 * What to tell the user when a step fails. The launcher prints the first hint matching (step, errno), so
 * specific ones come before `*`. They are computed here because only TypeScript knows the context: whether
 * a user namespace is in play, which cgroup version, what the definition asked for.
 */
export function launchHints(c: ContainerPlan, facts: HostFacts, cgroup: CgroupSetup): LaunchHint[] {
  const userNs = c.namespaces.unshare.includes('user');
  const root = facts.uid === 0;
  const h: LaunchHint[] = [];
  const add = (step: StepName, errno: string, text: string) => h.push({ step, errno, text });

  // haco's own host directories and locks
  h.push(...cgroupLockHints());
  add('host-dir', 'EPERM', 'haco keeps its state in directories only root may change: remove or chown that directory (`chown root:root DIR`)');
  add('host-dir', 'ELOOP', 'haco never follows a symlink in its own directories: remove it so haco can make a real directory');
  add('state-dir', 'ELOOP', 'the state dir or its lock is a symlink, which haco never follows: remove it');
  add('state-dir', 'EPERM', 'the state dir is not root\'s: remove it (`haco rm NAME`, or `rm -r DIR`) so haco can make it again');

  // cgroups
  add('cgroup-mkdir', 'EACCES', root ? 'the cgroup tree is not writable; is it delegated to another manager?' : 'creating cgroups needs root: run haco with sudo');
  add('cgroup-mkdir', 'EROFS', `${facts.cgroup.root} is mounted read-only (inside a container?); mount it read-write or run haco on the host`);
  add('cgroup-write', 'ENOENT', cgroup.version === 'v2'
    ? 'controller not enabled: the file appears only when the parent enables the controller in cgroup.subtree_control; see docs/cgroups.md'
    : 'controller not enabled: that file does not exist in this v1 hierarchy (e.g. memsw needs swapaccount=1); see docs/cgroups.md');
  add('cgroup-write', 'EBUSY', 'the cgroup already holds processes or children that conflict with this value (a leftover container? try `haco ps`)');
  add('cgroup-write', 'EOPNOTSUPP', 'the controller cannot be enabled here: a cgroup with processes cannot delegate controllers (cgroup v2 "no internal processes" rule)');
  add('cgroup-write', 'EINVAL', cgroup.version === 'v1'
    ? 'the kernel rejected the value: cpus/mems must be within the parent\'s, quotas ≥ 1000µs, memsw ≥ memory limit'
    : 'the kernel rejected the value: cpus/mems must be within the parent\'s cpuset.cpus.effective, cpu quota ≥ 1000µs');
  if (cgroup.devices?.version === 'v2') {
    add('cgroup-devices', 'EPERM', root
      ? 'attaching the device program was refused: a parent cgroup has a device program that does not allow sub-programs, or the kernel restricts bpf(2) (lockdown); see docs/cgroups.md'
      : 'loading a BPF program needs root (CAP_SYS_ADMIN): run haco with sudo');
    add('cgroup-devices', 'EINVAL', 'the kernel does not support cgroup device programs (CONFIG_CGROUP_BPF); .devices(\'host\') turns the device cgroup off, unsafely');
    add('cgroup-devices', 'ENOSYS', 'the kernel has no bpf(2) (CONFIG_BPF_SYSCALL); .devices(\'host\') turns the device cgroup off, unsafely');
  }
  if (cgroup.bornInJoin) add('spawn-cgroup', '*', 'the launcher could not move itself into the container\'s cgroup or back into its own; check that the cgroup was created and `cat /proc/self/cgroup` (docs/cgroups.md)');
  add('cgroup-join', '*', 'could not move the container into its cgroup; check `cat /proc/self/cgroup` and that the cgroup was created (docs/cgroups.md)');

  // namespaces
  add('setns', 'EINVAL', 'the file is not a namespace of that kind, or it cannot be joined from here (a pid/user namespace that is not a descendant, or a user namespace joined by a multithreaded process)');
  add('setns', 'EPERM', 'joining a namespace needs CAP_SYS_ADMIN in the namespace\'s owning user namespace: run as root');
  add('setns', 'ENOENT', 'the namespace file is gone: the process it belonged to has exited (use a persisted namespace file)');
  add('unshare', 'EINVAL', 'this kernel does not support that namespace (time namespaces need Linux 5.6+, cgroup 4.6+)');
  add('spawn', 'EPERM', userNs
    ? 'creating a user namespace was refused: check `sysctl kernel.unprivileged_userns_clone` / `kernel.apparmor_restrict_unprivileged_userns`, or run as root'
    : 'creating namespaces needs root (or a user namespace): run haco with sudo, or add .unshare(\'user\') with .mapRootTo()');
  add('spawn', 'ENOSPC', 'the namespace limit is reached: see /proc/sys/user/max_*_namespaces');
  add('spawn', 'EINVAL', 'the kernel does not support one of these namespaces (check CONFIG_*_NS)');
  add('uid-map', 'EPERM', root
    ? 'the map was rejected: each line needs its outside range to be unused, and a map can be written only once'
    : 'without root only your own uid can be mapped (one line, count 1); run haco as root for ranges such as 0:100000:65536');
  add('gid-map', 'EPERM', 'without root a gid map needs `setgroups deny` first and can only map your own gid');
  add('persist-ns', 'EINVAL', 'binding a namespace file needs a private mount at the target\'s directory: `mount --bind DIR DIR && mount --make-private DIR`');

  // mounts and the root switch
  add('mount', 'EPERM', userNs
    ? 'this filesystem cannot be mounted from a user namespace (sysfs needs its own net namespace, proc its own pid namespace, and no locked mounts over /proc)'
    : 'mounting needs the container\'s own mount namespace and CAP_SYS_ADMIN: keep \'mount\' unshared and run as root');
  add('mount', 'ENODEV', 'the kernel does not know this filesystem type (see /proc/filesystems; try `modprobe`)');
  add('mount', 'ENOENT', 'the mount point could not be created inside the rootfs: is the rootfs there? (`haco create` makes it)');
  add('bind', 'ENOENT', 'the host path to bind does not exist');
  add('bind-root', 'ENOENT', `the rootfs ${c.rootfs.path} does not exist: run \`haco create\` first`);
  if (facts.rootless && c.rootfs.overlay) {
    // Without root, the upper dir's filesystem must also take user.* xattrs (tmpfs only from Linux 6.6).
    const why = 'overlayfs refused the layers in the user namespace: the upper and work dirs must be on one filesystem that supports user.* xattrs (ext4, xfs, btrfs; tmpfs from Linux 6.6), work must be empty, and no layer may be an overlayfs. haco does not fall back to a read-only rootfs: move the layers (docs/rootless.md) or start it as root';
    add('overlay-root', 'EINVAL', why);
    add('overlay-root', 'EOPNOTSUPP', why);
    add('overlay-root', 'EPERM', why);
  }
  add('overlay-root', 'EROFS', "overlayfs could not use the upper or work dir and mounted read-only: they must belong to the container's root (with .mapRootTo() haco chowns them before the start; check that nothing else changed their owner) — `dmesg | grep overlayfs` says why");
  add('overlay-root', 'EINVAL', 'overlayfs refused the layers: upper and work must be on the same filesystem, work must be empty, and none may be an overlayfs itself');
  add('idmap-mount', 'EINVAL', "this filesystem cannot be id-mapped (nfs, fuse, an overlayfs itself; tmpfs only from Linux 6.3): put the rootfs (or its layers) on ext4, xfs or btrfs, or drop .rootfsOwner('idmap') — see docs/rootfs.md \"Who owns the rootfs\"");
  add('idmap-mount', 'EPERM', "an id-mapped mount needs root on the host (CAP_SYS_ADMIN over the rootfs's filesystem): start it as root, or drop .rootfsOwner('idmap')");
  add('propagation', 'EINVAL', 'could not change mount propagation: is the mount namespace unshared?');
  add('pivot-root', 'EINVAL', 'pivot_root needs the rootfs to be a mount point not on a shared mount; keep the rootfs propagation private/rprivate (docker-style hosts use shared /), or use switchRoot \'chroot\'');
  add('pivot-root', 'EBUSY', 'the rootfs is already the root of this mount namespace');
  add('mknod-bind', '*', 'could not bind the host device; is /dev on the host a devtmpfs?');
  add('hostname', 'EPERM', 'setting the hostname needs the uts namespace: add .unshare(\'uts\')');
  add('lo-up', '*', 'could not bring up lo: the network namespace must be the container\'s own');

  // the process
  add('user', 'EINVAL', `uid ${c.process.user.uid} or gid ${c.process.user.gid} is not mapped in the user namespace: check the uid/gid maps`);
  add('user', 'EPERM', userNs && c.namespaces.setgroups === 'deny'
    ? 'supplementary groups cannot be set when setgroups is "deny"; remove the extra groups or allow setgroups (root only)'
    : 'changing user needs CAP_SETUID/CAP_SETGID');
  add('caps', 'EPERM', 'a capability was asked for that the launcher itself does not have (run as root, or drop it from the definition)');
  add('seccomp-rule', '*', 'libseccomp does not know this syscall name on this architecture; check syscalls(2) for the spelling');
  add('seccomp-load', 'EACCES', 'loading a filter needs no_new_privs or CAP_SYS_ADMIN: keep noNewPrivileges on');
  add('seccomp-load', 'EINVAL', 'the kernel refused the filter: is seccomp enabled (CONFIG_SECCOMP_FILTER)?');
  add('chdir', 'ENOENT', `the working directory ${c.process.cwd} does not exist in the container`);
  add('rlimit', 'EPERM', 'raising a hard limit above the current one needs CAP_SYS_RESOURCE');
  add('exec', 'ENOENT', 'the command is not in the container\'s rootfs; check PATH or the bootstrap');
  add('exec', 'EACCES', 'the command is not executable: check its mode (chmod +x) and that its filesystem is not mounted noexec');
  add('exec', 'ENOEXEC', 'the file is not a program for this machine (wrong architecture, or a script without #!)');
  add('exec', 'EPERM', execCapsHint(c.capabilities.bounding));
  add('hook', '*', 'a hook command failed; run it by hand to see why (hooks must exit 0)');
  if (c.hooks.length > 0) {
    add('hook-at', 'ETIMEDOUT', 'the hook ran past its time limit and was killed with its process group: make it return sooner, or raise the limit with .hookTimeout(ms)');
    add('hook-at', '*', 'a hook command failed; run it by hand (HACO_POINT, HACO_NAME and HACO_PID set) to see why: hooks must exit 0');
  }
  return h;
}

/**
 * Exec refused with EPERM: almost always a program with file capabilities (ping's cap_net_raw=ep) whose
 * capabilities the bounding set cannot grant; the kernel refuses rather than run it without them. The
 * launcher says in its message when the file has a security.capability xattr.
 */
export function execCapsHint(bounding: readonly string[]): string {
  const likely = ['net_raw', 'net_bind_service', 'net_admin', 'sys_nice', 'ipc_lock'].filter((cap) => !bounding.includes(cap));
  const cap = likely[0] ?? 'NAME';
  return (
    'a program with file capabilities (the security.capability xattr: `getcap FILE` on the host shows them, e.g. ' +
    "ping's cap_net_raw=ep) only runs when the container's bounding set holds all of them; the kernel refuses " +
    `it rather than run it without them${likely.length ? ` (this container lacks ${likely.join(', ')})` : ''}. ` +
    `Keep the capability: .addCaps('${cap}') in the definition, or --add-cap ${cap} for one start ` +
    `(haco attach: -A ${cap}); or run a program without file capabilities`
  );
}

export function emitHints(w: SpecWriter, hints: readonly LaunchHint[]): void {
  for (const hint of hints) w.step('hint', hint.step, hint.errno, hint.text);
}
