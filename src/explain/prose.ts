import type { StepName } from '../runtime/steps';
import type { SectionId, SpecStepView } from './types';

export type { SectionId } from './types';

/**
 * `haco explain` per launch spec step kind: which section of the explanation the step belongs to, and the
 * system call or file it comes down to (with the step's own fields: the host's real paths), as a learner
 * would look it up in the man pages. Consecutive steps of one section are told together; the prose of a
 * section is in sections.ts. Typed by the step table (src/runtime/steps.ts), so a new step without prose
 * here does not compile.
 */


export interface StepProse {
  /** The section the step is told in (some kinds depend on the step's fields or place). */
  section: SectionId | ((step: SpecStepView) => SectionId);
  /** The system call, file or man page it comes down to; absent for steps only the launcher reads. */
  kernel?: (fields: readonly string[]) => string;
}

const NS_FLAG: Record<string, string> = {
  mount: 'CLONE_NEWNS',
  uts: 'CLONE_NEWUTS',
  ipc: 'CLONE_NEWIPC',
  pid: 'CLONE_NEWPID',
  net: 'CLONE_NEWNET',
  user: 'CLONE_NEWUSER',
  cgroup: 'CLONE_NEWCGROUP',
  time: 'CLONE_NEWTIME',
};

/** `mount,uts` → `CLONE_NEWNS|CLONE_NEWUTS` (the spawn field; `-` for none). */
export function cloneFlags(kinds: string): string[] {
  return kinds === '-' ? [] : kinds.split(',').map((k) => NS_FLAG[k] ?? k);
}

const COMMAND = () => 'fork(2) + execv(2)';

/** `hook-at` of the three original points stays in their own sections; every other point is told as a hook point. */
const HOOK_AT_SECTION: Record<string, SectionId> = { beforeStart: 'hook-beforeStart', afterSpawn: 'hook-afterSpawn', beforeExec: 'hook-beforeExec' };

export const STEP_PROSE: Record<StepName, StepProse> = {
  // metadata: read by the launcher before its first system call
  name: { section: 'launcher' },
  hint: { section: 'launcher' },
  'hook-env': { section: 'launcher' },
  'preserve-fds': { section: 'launcher', kernel: () => 'close_range(2) of every other fd' },
  'supervisor-exits': { section: 'launcher', kernel: () => 'exit(2) of the supervisor once the program runs: the engine\'s subreaper (PR_SET_CHILD_SUBREAPER) becomes its parent' },
  'forward-signals': { section: 'launcher', kernel: () => 'sigaction(2)' },
  'host-dir': { section: 'launcher', kernel: (f) => `mkdir(2) + open(O_NOFOLLOW) ${f[0]}` },
  'state-dir': { section: 'launcher', kernel: (f) => `flock(2) ${f[0]}/lock` },
  'state-file': { section: 'launcher', kernel: () => 'write + rename(2), atomically' },
  'state-meta': { section: 'launcher' },
  log: { section: 'launcher', kernel: (f) => `pipe(2) for fds 1 and 2; appended to ${f[0]}` },
  'console-socket': { section: 'launcher', kernel: (f) => `connect(2) to the engine's unix socket ${f[0]} and sendmsg(2) of the pty master with SCM_RIGHTS` },
  console: { section: 'launcher', kernel: (f) => `a unix(7) socket ${f[0]} serving the pty` },
  restart: { section: 'after' },
  'cleanup-cgroup': { section: 'after', kernel: (f) => `rmdir(2) ${f[0]}` },
  'cleanup-cgroup-parent': { section: 'after', kernel: (f) => `rmdir(2) ${f[0]} when it is empty` },
  'report-oom': { section: 'after', kernel: (f) => `read oom_kill in ${f[0]}` },
  'cleanup-cmd': { section: 'after', kernel: COMMAND },
  // the supervisor's hooks and its event process (native/src/hooks.c, events.c)
  'hook-timeout': { section: 'after', kernel: (f) => `killpg(2) SIGKILL after ${f[0]} ms` },
  'point-cmd': { section: 'after', kernel: (f) => `fork(2) + execv(2) at ${f[0]}` },
  timer: { section: 'after', kernel: (f) => `timerfd_create(2) every ${f[0]} ms${f[1] === '0' ? '' : `, ${f[1]} times`}` },
  'ready-port': { section: 'after', kernel: (f) => `read /proc/PID/net/tcp and tcp6 for port ${f[0]} in LISTEN` },
  'ready-cmd': { section: 'after', kernel: () => 'fork(2) + execv(2) until it exits 0' },
  'on-oom': { section: 'after', kernel: (f) => (f[0] === 'v1' ? `eventfd(2) registered in ${f[1]}/cgroup.event_control for memory.oom_control` : `inotify(7) on ${f[1]}/memory.events, oom_kill`) },
  'on-pressure': { section: 'after', kernel: (f) => (f[0] === 'v1' ? `eventfd(2) registered in ${f[1]}/cgroup.event_control for memory.pressure_level ${f[2]}` : `write "${f[2]}" to ${f[1]}/memory.pressure + poll(2) POLLPRI`) },
  'on-signal': { section: 'after', kernel: (f) => `signalfd(2) SIG${f[0]} in the supervisor's event process` },
  'failure-cmd': { section: 'after', kernel: COMMAND },
  // phase 1: prepare, on the host
  'cgroup-lock': { section: 'cgroup', kernel: (f) => `flock(2) LOCK_SH on ${f[0]}` },
  'cgroup-mkdir': { section: 'cgroup', kernel: (f) => `mkdir(2) ${f[0]}` },
  'cgroup-write': {
    section: (s) => (/\/devices\.(allow|deny)$/.test(s.fields[0] ?? '') ? 'devices' : 'cgroup'),
    // One line for all the rules of a v1 device list (the section lists them), one per write otherwise.
    kernel: (f) => ((f[0] ?? '').endsWith('/devices.allow') ? `write each rule to ${f[0]}` : `write "${f[1]}" to ${f[0]}`),
  },
  'cgroup-devices': { section: 'devices', kernel: (f) => `bpf(BPF_PROG_LOAD) + bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE) on ${f[0]}` },
  stdio: { section: (s) => (s.fields[1] === 'host' ? 'stdio-host' : 'stdio-container'), kernel: (f) => `open(2) ${f[2]} + dup2(2) onto fd ${f[0]}` },
  setns: { section: 'setns', kernel: (f) => `open(${f[1]}) + setns(2) ${NS_FLAG[f[0] ?? ''] ?? ''}` },
  unshare: { section: (s) => (s.fields[0] === 'time' ? 'time' : 'cgroupns'), kernel: (f) => `unshare(${cloneFlags(f[0] ?? '-').join('|')})` },
  'start-fifo': { section: 'launcher', kernel: (f) => `mkfifo(3) ${f[0]}, open(2) it O_RDWR before clone: the child inherits the fd across pivot_root` },
  'timens-offset': { section: 'time', kernel: (f) => `write "${f[0]} ${f[1]} 0" to /proc/self/timens_offsets` },
  hook: { section: (s) => s.hookSection ?? 'hook-beforeStart', kernel: COMMAND },
  'hook-at': { section: (s) => HOOK_AT_SECTION[s.fields[0] ?? ''] ?? 'hook-point', kernel: () => 'fork(2) + setpgid(2) + execv(2), waitpid(2) with a time limit' },
  'spawn-cgroup': { section: 'clone', kernel: (f) => `the launcher writes "0" to ${f[0]}/tasks (moves itself: no migration lock), clones the child there, then writes "0" to its own ${f[2]} cgroup's tasks under ${f[1]} (from /proc/self/cgroup) to move back` },
  spawn: {
    section: 'clone',
    kernel: (f) =>
      f[1] === undefined
        ? `clone(${[...cloneFlags(f[0] ?? '-'), 'SIGCHLD'].join('|')})`
        : `clone3({flags=${[...cloneFlags(f[0] ?? '-'), 'CLONE_INTO_CGROUP'].join('|')}, cgroup=fd of ${f[1]}, exit_signal=SIGCHLD})`,
  },
  // phase 2: wire, in the parent
  setgroups: { section: 'id-maps', kernel: (f) => `write "${f[0]}" to /proc/PID/setgroups` },
  'uid-map': { section: 'id-maps', kernel: () => 'write /proc/PID/uid_map' },
  'gid-map': { section: 'id-maps', kernel: () => 'write /proc/PID/gid_map' },
  'id-map-helper': { section: 'id-maps', kernel: (f) => `run ${f[0]} PID ${(f[1] ?? '').split(',').map((l) => l.replace(/:/g, ' ')).join(' ')} (setuid: checks /etc/subuid or /etc/subgid, then writes the map)` },
  'cgroup-join': { section: 'cgroup-join', kernel: (f) => `write PID to ${f[0]}/cgroup.procs` },
  'persist-ns': { section: 'persist', kernel: (f) => `mount("/proc/PID/ns/${f[0]}", "${f[1]}", NULL, MS_BIND)` },
  'idmap-mount': { section: 'rootfs-owner', kernel: (f) => `open_tree(2) ${f[0] ?? ''} OPEN_TREE_CLONE, mount_setattr(2) MOUNT_ATTR_IDMAP with the child's user namespace, setns(2) into its mount namespace, move_mount(2) onto ${f[0] ?? ''}, setns(2) back` },
  helper: { section: 'network', kernel: (f) => `fork(2) + execv(2) ${f[1] ?? ''}, ready when it writes to fd ${f[0] ?? ''}; kill(2) SIGTERM after the run` },
  'oom-score-adj': { section: 'oom-score-adj', kernel: (f) => `write ${f[0]} to /proc/PID/oom_score_adj` },
  release: { section: 'release', kernel: () => 'write(2) one byte on the pipe the child waits on' },
  // phase 3: enter, in the child
  propagation: { section: (s) => (s.fields[0] === '/' ? 'rootfs' : 'mounts'), kernel: (f) => `mount(NULL, "${f[0]}", NULL, MS_REC|MS_${(f[1] ?? '').replace(/^r/, '').toUpperCase()})` },
  'fuse-overlay': { section: 'rootfs', kernel: (f) => `fork(2); the child opens /dev/fuse, setns(2) into the container's user and mount namespaces, becomes its root, mount(2) fuse.fuse-overlayfs on ${f[0] ?? ''} (fd=N), unshare(2) CLONE_NEWNS, PR_SET_PDEATHSIG SIGKILL, execv(2) ${f.slice(1).join(' ')} /dev/fd/N; kill(2) SIGTERM after the run` },
  'fuse-root': { section: 'rootfs', kernel: (f) => `statfs(2) "${f[0] ?? ''}": a writable FUSE mount (fuse-overlayfs answers), else the launch fails` },
  'bind-root': { section: 'rootfs', kernel: (f) => `mount("${f[0]}", "${f[0]}", NULL, MS_BIND|MS_REC)` },
  'overlay-root': { section: 'rootfs', kernel: (f) => `mount("overlay", "${f[3]}", "overlay", 0, "lowerdir=${f[0]},upperdir=${f[1]},workdir=${f[2]}")` },
  mount: { section: 'mounts', kernel: (f) => `mount("${f[0]}", "${f[1]}", "${f[2]}")` },
  bind: { section: (s) => (s.bootstrapBind ? 'rootfs' : s.lxcfsBind ? 'lxcfs' : 'mounts'), kernel: (f) => `mount("${f[0]}", "${f[1]}", NULL, MS_BIND${(f[2] ?? '').includes('ro') ? ') + remount MS_RDONLY' : ')'}` },
  'mknod-bind': { section: 'mounts', kernel: () => "mount(2) MS_BIND of the host's device nodes onto empty files" },
  mknod: { section: 'device-nodes', kernel: (f) => `mknodat(2) ${f[1]} ${f[2]}:${f[3]} at ${f[0]}, fchmodat(0${Number(f[4] ?? 0).toString(8)}), fchownat(${f[5]}:${f[6]})` },
  symlink: { section: 'mounts', kernel: () => 'symlink(2)' },
  hostname: { section: 'hostname', kernel: (f) => `sethostname("${f[0]}")` },
  'lo-up': { section: (s) => s.wiredNetwork ? 'loopback' : 'network', kernel: () => 'ioctl(SIOCSIFFLAGS, IFF_UP) on lo' },
  mask: { section: 'masks', kernel: () => 'mount(2) /dev/null or an empty tmpfs over it' },
  readonly: { section: 'masks', kernel: () => 'mount(2) MS_BIND, then MS_REMOUNT|MS_RDONLY' },
  'pivot-root': { section: 'pivot-root', kernel: (f) => `chdir("${f[0]}"); pivot_root(".", "."); umount2(".", MNT_DETACH)` },
  chroot: { section: 'chroot', kernel: (f) => `chdir("${f[0]}"); chroot(".")` },
  'remount-root-ro': { section: 'readonly-root', kernel: () => 'mount(NULL, "/", NULL, MS_REMOUNT|MS_BIND|MS_RDONLY)' },
  rlimit: { section: 'rlimits', kernel: (f) => `setrlimit(RLIMIT_${f[0]}, ${f[1]}, ${f[2]})` },
  setsid: { section: 'setsid', kernel: () => 'setsid(2)' },
  pty: { section: 'terminal', kernel: (f) => `open("${f[0]}") + ioctl(TIOCGPTPEER) + ioctl(TIOCSCTTY)` },
  'apparmor-exec': { section: 'apparmor', kernel: (f) => `write("/proc/self/attr/apparmor/exec", "exec ${f[0]}") (older kernels: /proc/self/attr/exec)` },
  'no-new-privs': { section: 'no-new-privs', kernel: () => 'prctl(PR_SET_NO_NEW_PRIVS, 1)' },
  user: {
    section: (s) => (s.beforeRootfs ? 'mapped-root' : 'user'),
    kernel: (f) => `setgroups(2) ${f[2] === '-' ? 'none' : f[2]}; setresgid(${f[1]}); setresuid(${f[0]})`,
  },
  caps: { section: 'capabilities', kernel: () => 'prctl(PR_CAPBSET_DROP); capset(2); prctl(PR_CAP_AMBIENT_RAISE)' },
  seccomp: { section: 'seccomp', kernel: () => 'seccomp_init(3)' },
  'seccomp-rule': { section: 'seccomp', kernel: () => 'seccomp_rule_add(3)' },
  'seccomp-load': { section: 'seccomp-load', kernel: () => 'seccomp_load(3) → seccomp(2) SECCOMP_SET_MODE_FILTER' },
  'seccomp-prepared': { section: 'seccomp', kernel: (f) => `read("${f[0]}"), or seccomp_rule_add(3) + seccomp_export_bpf(3) + write it; seccomp-load then loads those BPF instructions (seccomp(2))` },
  chdir: { section: 'environment', kernel: (f) => `chdir("${f[0]}")` },
  'env-clear': { section: 'environment', kernel: () => 'clearenv(3)' },
  env: { section: 'environment', kernel: () => 'setenv(3)' },
  'wait-start': { section: 'exec', kernel: () => 'write(2) "held" on the error pipe, then read(2) the start fifo: blocked until `haco runtime start` writes one byte' },
  reaper: { section: 'reaper', kernel: () => 'fork(2); prctl(PR_SET_CHILD_SUBREAPER); waitpid(2)' },
  exec: { section: 'exec', kernel: (f) => `execvp("${f[0]}", …)` },
  // host-only specs (`haco reload`, the stale-cgroup sweep) never appear in a launch spec; their rows are
  // here for completeness, should a host-only spec ever be explained.
  'host-only': { section: 'launcher' },
  'cgroup-rmdir': { section: 'after', kernel: (f) => `rmdir(2) ${f[0]}` },
  prlimit: { section: 'launcher', kernel: (f) => `prlimit(2) pid ${f[0]} RLIMIT_${f[1]} ${f[2]} ${f[3]}` },
};
