import type { CapabilityName, NamespaceKind, RlimitName } from '../plan/types';

/**
 * What a learner needs to know about each kernel feature haco drives, in haco's own words: what it
 * isolates or allows, and a command that makes the difference visible. Kept apart from the step logic
 * so the wording can be improved (or translated) without touching how steps are built.
 */

export interface NamespaceFacts {
  /** The clone(2)/unshare(2) flag. */
  flag: string;
  /** What gets a private copy. */
  isolates: string;
  /** How to see it when the namespace is new. */
  seeIsolated: string;
  /** How to see it when it is shared with the host. */
  seeShared: string;
}

export const NAMESPACE_FACTS: Record<NamespaceKind, NamespaceFacts> = {
  mount: {
    flag: 'CLONE_NEWNS',
    isolates: 'the mount table: mounts made inside never appear on the host, and the other way round',
    seeIsolated: '`findmnt` inside lists only the container\'s mounts; `findmnt | grep haco` on the host shows none of them',
    seeShared: 'every mount made inside would land in the host\'s mount table (haco refuses this: it needs its own to switch root)',
  },
  uts: {
    flag: 'CLONE_NEWUTS',
    isolates: 'the hostname and NIS domain name',
    seeIsolated: '`hostname` inside prints the container\'s name while `hostname` on the host is unchanged',
    seeShared: '`hostname` inside prints the host\'s name, and changing it would rename the host',
  },
  ipc: {
    flag: 'CLONE_NEWIPC',
    isolates: 'System V IPC objects (shared memory, semaphores, message queues) and POSIX message queues',
    seeIsolated: 'run `ipcmk -Q` on the host: `ipcs -q` inside does not list that queue',
    seeShared: '`ipcs` inside lists the host\'s shared memory segments and queues',
  },
  pid: {
    flag: 'CLONE_NEWPID',
    isolates: 'process IDs: the command is PID 1 and sees only its own descendants',
    seeIsolated: '`ps` inside lists only the container\'s processes, with the command as PID 1; `echo $$` prints 1 in a shell',
    seeShared: '`ps ax` inside lists every process of the host, and the command has an ordinary host PID',
  },
  net: {
    flag: 'CLONE_NEWNET',
    isolates: 'network interfaces, addresses, routes, firewall rules and ports',
    seeIsolated: '`ip addr` inside shows only `lo` (plus the veth when a network is wired); the host\'s interfaces are gone',
    seeShared: '`ip addr` inside shows the host\'s interfaces; the host\'s 127.0.0.1 services and abstract unix sockets answer, and a server inside listens on the host\'s addresses',
  },
  user: {
    flag: 'CLONE_NEWUSER',
    isolates: 'user and group IDs and the scope of capabilities: root inside can be an unprivileged uid outside',
    seeIsolated: '`cat /proc/self/uid_map` inside shows the mapping; `id -u` is 0 inside while `ps -o user` on the host shows the mapped uid',
    seeShared: '`cat /proc/self/uid_map` inside prints `0 0 4294967295`: root inside is root on the host',
  },
  cgroup: {
    flag: 'CLONE_NEWCGROUP',
    isolates: 'the view of the cgroup tree: the container\'s own cgroup looks like the root',
    seeIsolated: '`cat /proc/self/cgroup` inside shows its group as `/` instead of the host path `/haco/NAME`',
    seeShared: '`cat /proc/self/cgroup` inside shows the full host path of its group, `/haco/NAME`',
  },
  time: {
    flag: 'CLONE_NEWTIME',
    isolates: 'the monotonic and boot-time clocks (the wall clock is never namespaced)',
    seeIsolated: '`cat /proc/uptime` inside differs from the host by the boottime offset',
    seeShared: '`cat /proc/uptime` inside matches the host\'s',
  },
};

/** Capabilities worth explaining: what each allows and a command that fails without it. */
export interface CapabilityFacts {
  allows: string;
  /** A command that shows the capability is missing (run as root inside). */
  withoutIt?: string;
}

export const CAPABILITY_FACTS: Partial<Record<CapabilityName, CapabilityFacts>> = {
  chown: { allows: 'change the owner of any file', withoutIt: '`chown 1000 /tmp/f` fails with "Operation not permitted"' },
  dac_override: { allows: 'ignore read/write/execute permission bits', withoutIt: '`touch /tmp/f; chmod 000 /tmp/f; echo x > /tmp/f` fails with "Permission denied"' },
  dac_read_search: { allows: 'read any file and list any directory regardless of permissions' },
  fowner: { allows: 'act on files it does not own (chmod, utime) as if it owned them', withoutIt: '`chmod 600` on a file of another user fails' },
  fsetid: { allows: 'keep the set-user-ID bit when modifying a file' },
  kill: { allows: 'send signals to processes of other users', withoutIt: '`kill` of a process run by another uid fails with EPERM' },
  setgid: { allows: 'change its group IDs', withoutIt: '`su nobody -s /bin/sh -c id` fails' },
  setuid: { allows: 'change its user IDs', withoutIt: '`su nobody -s /bin/sh -c id` fails' },
  setpcap: { allows: 'change capability sets of itself (bounding set drops)' },
  linux_immutable: { allows: 'set the immutable and append-only file attributes', withoutIt: '`chattr +i /tmp/f` fails' },
  net_bind_service: { allows: 'listen on ports below 1024', withoutIt: '`nc -l -p 80` fails with "Permission denied"' },
  net_broadcast: { allows: 'broadcast and listen to multicast' },
  net_admin: { allows: 'configure interfaces, routes and firewall rules', withoutIt: '`ip link set lo down` fails with "Operation not permitted"' },
  net_raw: { allows: 'open raw and packet sockets (ping, packet capture)', withoutIt: '`ping` fails with "permission denied" / EPERM: add it back with .addCaps(\'net_raw\')' },
  ipc_lock: { allows: 'lock memory (mlock) beyond the rlimit' },
  ipc_owner: { allows: 'bypass permission checks on System V IPC objects' },
  sys_module: { allows: 'load and unload kernel modules — the host\'s kernel', withoutIt: '`modprobe dummy` fails with "Operation not permitted"' },
  sys_rawio: { allows: 'raw I/O on devices and ports (/dev/mem, iopl)' },
  sys_chroot: { allows: 'call chroot(2)', withoutIt: '`chroot / true` fails with "Operation not permitted"' },
  sys_ptrace: { allows: 'trace and inspect any process (strace, gdb)', withoutIt: '`strace -p 1` fails with "Operation not permitted"' },
  sys_pacct: { allows: 'switch process accounting on and off' },
  sys_admin: { allows: 'mount filesystems, set the hostname, and a long list of other administration', withoutIt: '`hostname x` fails with "Operation not permitted", and so does `mount -t tmpfs none /mnt`' },
  sys_boot: { allows: 'reboot the machine and load a new kernel', withoutIt: '`reboot -f` fails' },
  sys_nice: { allows: 'raise priorities and change other processes\' scheduling', withoutIt: '`nice -n -5 true` fails with "Permission denied"' },
  sys_resource: { allows: 'raise hard rlimits and override resource limits', withoutIt: '`ulimit -n 1048576` (above the hard limit) fails' },
  sys_time: { allows: 'set the system clock — the host\'s clock', withoutIt: '`date -s 2000-01-01` fails with "Operation not permitted"' },
  sys_tty_config: { allows: 'configure terminals (vhangup)' },
  mknod: { allows: 'create device files', withoutIt: '`mknod /tmp/null c 1 3` fails with "Operation not permitted"' },
  lease: { allows: 'take leases on files it does not own' },
  audit_write: { allows: 'write to the kernel audit log (login programs need it)' },
  audit_control: { allows: 'configure kernel auditing' },
  setfcap: { allows: 'set file capabilities on executables' },
  mac_override: { allows: 'override mandatory access control (Smack)' },
  mac_admin: { allows: 'configure mandatory access control' },
  syslog: { allows: 'read and clear the kernel log', withoutIt: '`dmesg` fails with "Operation not permitted" (when kernel.dmesg_restrict=1)' },
  wake_alarm: { allows: 'set alarms that wake the system' },
  block_suspend: { allows: 'block system suspend' },
  audit_read: { allows: 'read the audit log over netlink' },
  perfmon: { allows: 'use performance monitoring (perf)' },
  bpf: { allows: 'load BPF programs and maps' },
  checkpoint_restore: { allows: 'checkpoint/restore operations (set PIDs of new processes)' },
};

/** Capabilities whose absence a learner is most likely to notice, shown even when never asked for. */
export const NOTABLE_MISSING: readonly CapabilityName[] = ['sys_admin', 'net_admin', 'net_raw', 'sys_time', 'sys_module', 'sys_ptrace', 'sys_boot'];

/** What each resource limit caps and how to see it. */
export const RLIMIT_FACTS: Record<RlimitName, { caps: string; see: string }> = {
  AS: { caps: 'the size of a process\'s address space (bytes)', see: '`ulimit -v` (KiB); a larger malloc fails' },
  CORE: { caps: 'the size of core dumps (bytes)', see: '`ulimit -c`' },
  CPU: { caps: 'CPU time per process (seconds); then SIGXCPU, then SIGKILL', see: '`ulimit -t`; `yes > /dev/null` is killed after that many seconds' },
  DATA: { caps: 'the data segment and heap (bytes)', see: '`ulimit -d` (KiB)' },
  FSIZE: { caps: 'the largest file a process may write (bytes); beyond it SIGXFSZ', see: '`ulimit -f` (blocks); `head -c 10M /dev/zero > /tmp/big` stops with "File size limit exceeded"' },
  LOCKS: { caps: 'the number of file locks', see: '`cat /proc/self/limits`' },
  MEMLOCK: { caps: 'memory that may be locked in RAM (bytes)', see: '`ulimit -l` (KiB)' },
  MSGQUEUE: { caps: 'bytes in POSIX message queues', see: '`ulimit -q`' },
  NICE: { caps: 'how far the nice value may be raised', see: '`ulimit -e`' },
  NOFILE: { caps: 'open file descriptors per process', see: '`ulimit -n`' },
  NPROC: { caps: 'processes per real user ID (counted across the whole host for that uid)', see: '`ulimit -u`; a fork loop stops with "Resource temporarily unavailable"' },
  RSS: { caps: 'resident memory (ignored by modern kernels)', see: '`cat /proc/self/limits`' },
  RTPRIO: { caps: 'the highest real-time priority', see: '`ulimit -r`' },
  RTTIME: { caps: 'CPU time a real-time task may use without blocking (µs)', see: '`cat /proc/self/limits`' },
  SIGPENDING: { caps: 'queued signals', see: '`ulimit -i`' },
  STACK: { caps: 'the stack size (bytes)', see: '`ulimit -s` (KiB); deep recursion crashes sooner' },
};
