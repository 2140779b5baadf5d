import type { SeccompDraft } from './draft';
import type { CapabilityName, SeccompAction, SeccompArg, SeccompPlan, SeccompRule } from './types';

/**
 * haco's default seccomp profile, as data. An allow list: every system call not named here fails with
 * EPERM. It follows the idea of Docker's default profile (allow what ordinary programs use, refuse what
 * manages the kernel or crosses the container's walls, unless the container holds the capability that
 * the call needs anyway), written from syscalls(2) and the capability each call checks.
 *
 * The profile is resolved into plain rules when the plan is built (resolveDefaultSeccomp below), for the
 * container's final capabilities and the host's architecture, so `haco plan --json` shows every rule the
 * launcher installs. Each of its rules is `optional`: a name that this host's libseccomp does not know
 * (a call newer than the library, or one this architecture lacks) is skipped by the launcher instead of
 * failing the start. A user's own rules are never optional: a typo there is an error.
 */

/** EPERM: what a call refused by the profile returns (like a missing capability would). */
export const DEFAULT_SECCOMP_ERRNO = 1;

/** ENOSYS: what clone3 returns without sys_admin, so that libc falls back to clone(2), whose flags can be checked. */
const ENOSYS = 38;

/** Allowed for everybody, grouped by what they are for. */
const ALWAYS: Readonly<Record<string, readonly string[]>> = {
  files: [
    'read', 'write', 'readv', 'writev', 'pread64', 'pwrite64', 'preadv', 'pwritev', 'preadv2', 'pwritev2',
    'open', 'openat', 'openat2', 'creat', 'close', 'close_range', 'lseek', '_llseek',
    'dup', 'dup2', 'dup3', 'fcntl', 'fcntl64', 'ioctl', 'flock',
    'fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range', 'truncate', 'truncate64', 'ftruncate', 'ftruncate64',
    'fallocate', 'fadvise64', 'fadvise64_64', 'readahead',
    'sendfile', 'sendfile64', 'splice', 'tee', 'vmsplice', 'copy_file_range', 'pipe', 'pipe2',
    'memfd_create', 'cachestat',
  ],
  metadata: [
    'stat', 'stat64', 'fstat', 'fstat64', 'lstat', 'lstat64', 'newfstatat', 'fstatat64', 'statx',
    'statfs', 'statfs64', 'fstatfs', 'fstatfs64', 'access', 'faccessat', 'faccessat2',
    'readlink', 'readlinkat', 'getdents', 'getdents64', 'getcwd', 'chdir', 'fchdir',
    'mkdir', 'mkdirat', 'rmdir', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink', 'symlinkat',
    'unlink', 'unlinkat', 'mknod', 'mknodat', 'umask',
    'chmod', 'fchmod', 'fchmodat', 'fchmodat2', 'chown', 'chown32', 'fchown', 'fchown32', 'fchownat', 'lchown', 'lchown32',
    'utime', 'utimes', 'utimensat', 'utimensat_time64', 'futimesat',
    'getxattr', 'lgetxattr', 'fgetxattr', 'setxattr', 'lsetxattr', 'fsetxattr',
    'listxattr', 'llistxattr', 'flistxattr', 'removexattr', 'lremovexattr', 'fremovexattr',
    'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'fanotify_mark',
  ],
  memory: [
    'brk', 'mmap', 'mmap2', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'msync',
    'mlock', 'mlock2', 'munlock', 'mlockall', 'munlockall', 'membarrier', 'remap_file_pages',
    'pkey_alloc', 'pkey_free', 'pkey_mprotect',
  ],
  processes: [
    'fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'waitpid',
    'kill', 'tkill', 'tgkill', 'pidfd_open', 'pidfd_send_signal',
    'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'sigreturn', 'rt_sigpending', 'rt_sigsuspend',
    'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo',
    'sigaction', 'sigprocmask', 'sigpending', 'sigsuspend', 'signal', 'sigaltstack', 'signalfd', 'signalfd4', 'pause',
    'getpid', 'getppid', 'gettid', 'getpgid', 'setpgid', 'getpgrp', 'getsid', 'setsid',
    'set_tid_address', 'set_robust_list', 'get_robust_list', 'futex', 'futex_time64', 'futex_waitv', 'rseq',
    'restart_syscall', 'prctl', 'seccomp', 'capget', 'capset', 'uname', 'getcpu', 'sysinfo', 'getrandom',
    'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
  ],
  identity: [
    'getuid', 'geteuid', 'getgid', 'getegid', 'getuid32', 'geteuid32', 'getgid32', 'getegid32',
    'setuid', 'setgid', 'setuid32', 'setgid32', 'setreuid', 'setregid', 'setreuid32', 'setregid32',
    'setresuid', 'setresgid', 'setresuid32', 'setresgid32', 'getresuid', 'getresgid', 'getresuid32', 'getresgid32',
    'setfsuid', 'setfsgid', 'setfsuid32', 'setfsgid32', 'getgroups', 'setgroups', 'getgroups32', 'setgroups32',
  ],
  scheduling: [
    'sched_yield', 'sched_getaffinity', 'sched_setaffinity', 'sched_getparam', 'sched_setparam',
    'sched_getscheduler', 'sched_setscheduler', 'sched_get_priority_max', 'sched_get_priority_min',
    'sched_rr_get_interval', 'sched_rr_get_interval_time64', 'sched_getattr', 'sched_setattr',
    'getpriority', 'setpriority', 'ioprio_get', 'ioprio_set',
    'getrlimit', 'setrlimit', 'ugetrlimit', 'prlimit64', 'getrusage', 'times',
  ],
  time: [
    'clock_gettime', 'clock_gettime64', 'clock_getres', 'clock_getres_time64', 'clock_nanosleep', 'clock_nanosleep_time64',
    'nanosleep', 'gettimeofday', 'time', 'alarm', 'getitimer', 'setitimer',
    'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime', 'timer_gettime64', 'timer_settime', 'timer_settime64',
    'timerfd_create', 'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime', 'timerfd_settime64',
    // Reading the clock's state; changing it is refused by the kernel without sys_time.
    'adjtimex', 'clock_adjtime', 'clock_adjtime64',
  ],
  waiting: [
    'select', '_newselect', 'pselect6', 'pselect6_time64', 'poll', 'ppoll', 'ppoll_time64',
    'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_wait', 'epoll_wait_old', 'epoll_pwait', 'epoll_pwait2',
    'eventfd', 'eventfd2', 'io_setup', 'io_destroy', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64', 'io_submit', 'io_cancel',
  ],
  network: [
    'socket', 'socketpair', 'socketcall', 'bind', 'listen', 'accept', 'accept4', 'connect', 'shutdown',
    'getsockname', 'getpeername', 'getsockopt', 'setsockopt',
    'send', 'recv', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg', 'recvmmsg_time64',
  ],
  ipc: [
    'ipc', 'shmget', 'shmat', 'shmdt', 'shmctl', 'semget', 'semop', 'semtimedop', 'semtimedop_time64', 'semctl',
    'msgget', 'msgsnd', 'msgrcv', 'msgctl', 'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedsend_time64',
    'mq_timedreceive', 'mq_timedreceive_time64', 'mq_notify', 'mq_getsetattr',
  ],
};

/**
 * Allowed only when the container keeps the capability the kernel checks for them anyway: without it
 * they would fail with EPERM regardless, and the filter also closes the paths that need no capability
 * (e.g. unshare(CLONE_NEWUSER), which then grants every capability inside a new user namespace).
 */
const WITH_CAPABILITY: ReadonlyArray<{ capability: CapabilityName; syscalls: readonly string[] }> = [
  {
    capability: 'sys_admin',
    syscalls: [
      'mount', 'umount', 'umount2', 'mount_setattr', 'move_mount', 'open_tree', 'fsopen', 'fsconfig', 'fsmount', 'fspick',
      'pivot_root', 'unshare', 'setns', 'sethostname', 'setdomainname', 'quotactl', 'quotactl_fd',
      'name_to_handle_at', 'fanotify_init', 'lookup_dcookie', 'bpf', 'perf_event_open', 'syslog',
    ],
  },
  { capability: 'sys_chroot', syscalls: ['chroot'] },
  { capability: 'sys_ptrace', syscalls: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'process_madvise', 'kcmp', 'pidfd_getfd'] },
  { capability: 'sys_boot', syscalls: ['reboot'] },
  { capability: 'sys_module', syscalls: ['init_module', 'finit_module', 'delete_module'] },
  { capability: 'sys_pacct', syscalls: ['acct'] },
  { capability: 'sys_rawio', syscalls: ['iopl', 'ioperm'] },
  { capability: 'sys_time', syscalls: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64'] },
  { capability: 'sys_tty_config', syscalls: ['vhangup'] },
  { capability: 'sys_nice', syscalls: ['mbind', 'get_mempolicy', 'set_mempolicy', 'set_mempolicy_home_node', 'move_pages'] },
  { capability: 'syslog', syscalls: ['syslog'] },
  { capability: 'bpf', syscalls: ['bpf'] },
  { capability: 'perfmon', syscalls: ['perf_event_open'] },
  { capability: 'dac_read_search', syscalls: ['open_by_handle_at'] },
];

/** Calls only some architectures have (Node's process.arch names). */
const BY_ARCHITECTURE: Readonly<Record<string, readonly string[]>> = {
  x64: ['arch_prctl', 'get_thread_area', 'set_thread_area'],
  ia32: ['arch_prctl', 'get_thread_area', 'set_thread_area'],
  arm: ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'],
  arm64: ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2'],
  ppc64: ['sync_file_range2'],
  s390x: ['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr'],
  riscv64: ['riscv_flush_icache', 'riscv_hwprobe'],
};

/** Every CLONE_NEW* flag clone(2) accepts (the time namespace can only be made with unshare or clone3). */
const CLONE_NEW_FLAGS = 0x7e020000;

/** personality(2) values programs use (PER_LINUX, PER_LINUX32, UNAME26 variants, and the query 0xffffffff). */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/** The profile's own name, as the plan marks a filter generated from it. */
export const DEFAULT_SECCOMP_PROFILE = 'default' as const;

/**
 * The default profile for a container holding `capabilities` (its bounding set) on `arch`: plain plan
 * rules, in a stable order (allow rules, then the argument-checked ones).
 */
export function resolveDefaultSeccomp(capabilities: readonly CapabilityName[], arch: string = process.arch): SeccompPlan {
  const sysAdmin = capabilities.includes('sys_admin');
  const allowed = new Set<string>([...Object.values(ALWAYS).flat(), ...(BY_ARCHITECTURE[arch] ?? [])]);
  for (const entry of WITH_CAPABILITY) if (capabilities.includes(entry.capability)) for (const s of entry.syscalls) allowed.add(s);
  if (sysAdmin) allowed.add('clone').add('clone3');
  const rules: SeccompRule[] = [{ action: 'allow', syscalls: [...allowed], args: [], optional: true }];
  if (!sysAdmin) {
    // s390 passes clone's flags second (its stack pointer comes first).
    const flagsIndex = arch === 's390x' ? 1 : 0;
    rules.push({ action: 'allow', syscalls: ['clone'], args: [{ index: flagsIndex, op: 'masked_eq', value: CLONE_NEW_FLAGS, valueTwo: 0 }], optional: true });
    rules.push({ action: 'errno', errno: ENOSYS, syscalls: ['clone3'], args: [], optional: true });
  }
  for (const value of PERSONALITIES) {
    const arg: SeccompArg = { index: 0, op: 'eq', value };
    rules.push({ action: 'allow', syscalls: ['personality'], args: [arg], optional: true });
  }
  return { profile: DEFAULT_SECCOMP_PROFILE, action: 'errno', errno: DEFAULT_SECCOMP_ERRNO, rules };
}

/** How many distinct syscalls a filter allows in some form (for `haco plan` and `haco explain`). */
export function allowedSyscallCount(plan: SeccompPlan): number {
  return new Set(plan.rules.filter((r) => r.action === 'allow').flatMap((r) => r.syscalls)).size;
}

/**
 * The filter a definition asked for, resolved for the container's capabilities: `false` (no filter) gives
 * undefined; on the default profile the user's rules take over every syscall they name (libseccomp accepts
 * one action per syscall), and a user's default action replaces EPERM.
 */
export function resolveSeccomp(draft: SeccompDraft | false, capabilities: readonly CapabilityName[], arch: string = process.arch): SeccompPlan | undefined {
  if (draft === false) return undefined;
  const own = draft.rules.map((r) => structuredClone(r));
  if (draft.base === 'none') return { ...(draft.action ?? { action: 'allow' }), rules: own };
  const profile = resolveDefaultSeccomp(capabilities, arch);
  const taken = new Set(own.flatMap((r) => r.syscalls));
  const kept = profile.rules
    .map((r) => ({ ...r, syscalls: r.syscalls.filter((s) => !taken.has(s)) }))
    .filter((r) => r.syscalls.length > 0);
  const action = draft.action ?? { action: profile.action, errno: profile.errno };
  return { profile: DEFAULT_SECCOMP_PROFILE, ...action, rules: [...kept, ...own] };
}

/**
 * The draft a resolved filter came from, so that a plan can be edited like a definition (command-line
 * toggles replay DSL calls on it): a profile-based filter keeps the definition's own rules (those not
 * marked optional) and its default action, and is generated again for the capabilities in force then.
 */
export function seccompDraftOf(seccomp: SeccompPlan | undefined): SeccompDraft | false {
  if (!seccomp) return false;
  const action: SeccompAction = seccomp.action === 'errno' ? { action: 'errno', errno: seccomp.errno ?? DEFAULT_SECCOMP_ERRNO } : { action: seccomp.action };
  if (seccomp.profile !== DEFAULT_SECCOMP_PROFILE) return { base: 'none', action, rules: structuredClone(seccomp.rules) };
  return { base: 'default', action, rules: seccomp.rules.filter((r) => !r.optional).map((r) => structuredClone(r)) };
}
