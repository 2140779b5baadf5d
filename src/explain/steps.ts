import { DEFAULT_CAPABILITIES, DEFAULT_ENV } from '../plan/defaults';
import { allowedSyscallCount } from '../plan/seccomp-default';
import { formatSize } from '../plan/size';
import { NAMESPACE_KINDS, type ContainerPlan, type HookPoint, type MountEntry, type SeccompRule } from '../plan/types';
import { describeCgroupLimits } from './cgroup';
import { allowsAllDevices, deviceRuleLabel, deviceRuleText } from '../plan/devices';
import { CAPABILITY_FACTS, NAMESPACE_FACTS, NOTABLE_MISSING, RLIMIT_FACTS } from './knowledge';
import type { ExplainStep } from './types';

/**
 * The launch of one container told step by step, in the order the launcher performs it (see
 * docs/launch-spec.md: prepare on the host → clone → wire → enter → exec). Only steps that do something
 * for this plan are listed, so toggling a feature off makes its step disappear.
 */
export function explainSteps(c: ContainerPlan): ExplainStep[] {
  const steps: ExplainStep[] = [];
  const add = (step: ExplainStep) => steps.push(step);
  const has = (kind: (typeof NAMESPACE_KINDS)[number]) => c.namespaces.unshare.includes(kind);
  const cgroupDir = `/sys/fs/cgroup/haco/${c.name}`;

  add(createStep(c));

  const limits = describeCgroupLimits(c);
  add({
    id: 'cgroup',
    phase: 'host',
    title: `Create the cgroup haco/${c.name}${limits.length ? ' and write its limits' : ''}`,
    lines: [
      'A control group counts and limits the resources of every process in it, including all the processes the command will start.',
      ...(limits.length
        ? limits.map((l) => `${l.file}: ${l.meaning}.`)
        : ['No limits are set: the container may use all CPUs and memory, but its processes can still be counted and killed together.']),
      'On a cgroup v1 host the same limits go to the v1 files (cpu.cfs_quota_us, memory.limit_in_bytes, pids.max).',
    ],
    kernel: ['mkdir(2) in /sys/fs/cgroup', ...limits.map((l) => `write ${l.file.split(' = ')[0]}`)],
    seeIt: [`\`ls ${cgroupDir}\` on the host while it runs`, ...limits.map((l) => l.seeIt)],
  });

  add(devicesStep(c));

  const hostStdio = Object.entries(c.process.stdio).filter(([, t]) => t?.side === 'host');
  if (hostStdio.length) {
    add({
      id: 'stdio-host',
      phase: 'host',
      title: 'Open the output files on the host',
      lines: hostStdio.map(([stream, t]) => `${stream} goes to ${t!.path} on the host (${t!.append ? 'appended' : 'truncated first'}), opened before any namespace exists.`),
      kernel: ['open(2)', 'dup2(2)'],
      seeIt: hostStdio.map(([, t]) => `\`cat ${t!.path}\` on the host`),
    });
  }

  if (c.namespaces.enter.length) {
    add({
      id: 'setns',
      phase: 'host',
      title: 'Join existing namespaces',
      lines: c.namespaces.enter.map((e) => `Joins the ${e.kind} namespace of ${e.path}: whatever else lives in it (${NAMESPACE_FACTS[e.kind].isolates}) is shared with the container.`),
      kernel: ['open(2) + setns(2)'],
      seeIt: c.namespaces.enter.map((e) => `\`readlink /proc/self/ns/${e.kind}\` inside prints the same as \`stat -L -c 'mnt:[%i]' ${e.path}\` on the host`),
    });
  }

  addHooks(c, 'beforeStart', add, 'Before the container exists');

  const shared = NAMESPACE_KINDS.filter((k) => !has(k) && !c.namespaces.enter.some((e) => e.kind === k));
  const created = c.namespaces.unshare.filter((k) => k !== 'time' && k !== 'cgroup');
  const offsets = c.namespaces.timeOffsets;
  add({
    id: 'clone',
    phase: 'clone',
    title: created.length ? `Create the container's first process in new namespaces: ${created.join(', ')}` : 'Create the container\'s first process (no new namespaces)',
    lines: [
      'clone(2) starts a child process; each CLONE_NEW* flag gives it a private copy of one kind of kernel resource. The child waits until the launcher has wired it up.',
      ...created.map((k) => `${k} (${NAMESPACE_FACTS[k].flag}): isolates ${NAMESPACE_FACTS[k].isolates}.`),
      ...(has('time')
        ? [`time (CLONE_NEWTIME): isolates ${NAMESPACE_FACTS.time.isolates}; created with unshare(2) just before clone, shifted by monotonic ${offsets.monotonic}s and boottime ${offsets.boottime}s.`]
        : []),
      ...(has('cgroup') ? ['cgroup (CLONE_NEWCGROUP): created right after the process joins its cgroup, so that cgroup becomes the root it sees.'] : []),
      ...(shared.length ? [`Shared with the host: ${shared.join(', ')}.`] : ['Nothing is shared with the host\'s namespaces.']),
      ...shared.map((k) => `${k} is shared: ${NAMESPACE_FACTS[k].seeShared.replaceAll('NAME', c.name)}.`),
    ],
    kernel: [`clone(${[...created.map((k) => NAMESPACE_FACTS[k].flag), 'SIGCHLD'].join('|')})`, ...(has('time') ? ['unshare(CLONE_NEWTIME)', 'write /proc/self/timens_offsets'] : [])],
    seeIt: [
      '`ls -l /proc/self/ns` inside and on the host: a new namespace has a different number in brackets',
      ...c.namespaces.unshare.map((k) => NAMESPACE_FACTS[k].seeIsolated.replaceAll('NAME', c.name)),
    ],
  });

  if (has('user')) {
    const line = (kind: string, m: { inside: number; outside: number; count: number }) =>
      `${kind} ${m.inside}–${m.inside + m.count - 1} inside are ${m.outside}–${m.outside + m.count - 1} on the host.`;
    add({
      id: 'id-maps',
      phase: 'clone',
      title: 'Map user and group IDs of the new user namespace',
      lines: [
        ...c.namespaces.uidMap.map((m) => line('uids', m)),
        ...c.namespaces.gidMap.map((m) => line('gids', m)),
        'Root inside is therefore an ordinary user on the host: its capabilities only count for resources its namespaces own.',
        `setgroups is "${c.namespaces.setgroups}"${c.namespaces.setgroups === 'deny' ? ' (needed when an unprivileged user writes the gid map)' : ''}.`,
      ],
      kernel: ['write /proc/PID/uid_map', 'write /proc/PID/gid_map', 'write /proc/PID/setgroups'],
      seeIt: ['`cat /proc/self/uid_map` inside', '`id` inside prints uid=0; `ps -o user,pid,cmd` on the host shows the mapped uid'],
    });
  }

  add({
    id: 'cgroup-join',
    phase: 'clone',
    title: `Move the process into haco/${c.name}`,
    lines: [
      'The waiting child is put into the cgroup before it runs anything, so it and every process it forks are counted and limited.',
      'On cgroup v2 with Linux 5.7+ it is born there instead: clone3(CLONE_INTO_CGROUP) needs no move (`haco plan --launch` shows which).',
    ],
    kernel: [`write PID to ${cgroupDir}/cgroup.procs`, 'or clone3(CLONE_INTO_CGROUP)'],
    seeIt: [`\`cat /proc/PID/cgroup\` on the host (PID from \`ps\`), or \`cat ${cgroupDir}/cgroup.procs\``],
  });

  if (c.network) {
    const n = c.network;
    add({
      id: 'network',
      phase: 'clone',
      title: `Wire the network: veth pair ${n.vethHost} ↔ ${n.vethGuest} on bridge ${n.bridge}`,
      lines: [
        `${n.createBridge ? `The bridge ${n.bridge} (${n.bridgeAddress}) is created on the host if missing` : `The bridge ${n.bridge} must already exist on the host`}; a bridge is a virtual switch.`,
        `A veth pair is a virtual cable: ${n.vethHost} stays on the host, plugged into ${n.bridge}; ${n.vethGuest} is moved into the container's net namespace.`,
        `Inside, ${n.vethGuest} gets ${n.address}${n.gateway ? ` and the default route goes via ${n.gateway}` : ''}.`,
        ...(n.cleanup ? [`${n.vethHost} is deleted when the container exits.`] : []),
      ],
      kernel: ['ip link add … type veth', 'ip link set … netns PID', 'ip addr add', 'ip route add default'],
      seeIt: [`\`ip addr show ${n.vethGuest}\` inside`, `\`ip link show master ${n.bridge}\` on the host`, ...(n.gateway ? [`\`ping -c1 ${n.gateway}\` inside (ping needs .addCaps('net_raw'))`] : [])],
    });
  } else if (has('net')) {
    add({
      id: 'network',
      phase: 'inside',
      title: 'Network: only the loopback interface',
      lines: [
        'The new net namespace (a default) has no way out: only `lo` exists, and haco brings it up. The host\'s interfaces, its 127.0.0.1 services and its abstract unix sockets are out of reach.',
        'Add .network({ bridge, … }) to plug it into a host bridge, or .share(\'net\') to use the host\'s network.',
      ],
      kernel: ['ioctl(SIOCSIFFLAGS) on lo'],
      seeIt: ['`ip addr` inside lists only lo', '`readlink /proc/self/ns/net` inside differs from the host\'s', '`wget -T2 http://1.1.1.1` inside fails with "Network unreachable"'],
    });
  }
  addHooks(c, 'afterSpawn', add, 'After the process exists (its PID is known)');

  add(rootfsStep(c));
  if (c.mounts.length) {
    add({
      id: 'mounts',
      phase: 'inside',
      title: `Mount ${c.mounts.length} filesystem${c.mounts.length === 1 ? '' : 's'} inside the rootfs`,
      lines: c.mounts.map(describeMount),
      kernel: ['mount(2)'],
      seeIt: ['`findmnt` inside', 'on the host these mounts are invisible: `findmnt | grep ' + c.name + '` finds nothing'],
    });
  }

  if (has('uts')) {
    add({
      id: 'hostname',
      phase: 'inside',
      title: `Set the hostname to "${c.process.hostname}"`,
      lines: ['Only the container\'s uts namespace changes; the host keeps its name.'],
      kernel: [`sethostname("${c.process.hostname}")`],
      seeIt: ['`hostname` inside and on the host'],
    });
  }

  add(switchRootStep(c));

  if (c.rootfs.readonly) {
    add({
      id: 'readonly-root',
      phase: 'inside',
      title: 'Make / read-only',
      lines: ['The root is remounted read-only: programs can read everything but change nothing (mount a tmpfs where they must write).'],
      kernel: ['mount(MS_REMOUNT|MS_BIND|MS_RDONLY)'],
      seeIt: ['`touch /x` inside fails with "Read-only file system"'],
    });
  }

  if (c.rootfs.maskedPaths.length || c.rootfs.readonlyPaths.length) {
    add({
      id: 'masks',
      phase: 'inside',
      title: 'Hide and protect parts of /proc and /sys',
      lines: [
        ...(c.rootfs.maskedPaths.length ? [`Hidden (/dev/null or an empty tmpfs mounted over them, because they leak host information): ${c.rootfs.maskedPaths.join(' ')}.`] : []),
        ...(c.rootfs.readonlyPaths.length ? [`Read-only (they would change the whole host's kernel): ${c.rootfs.readonlyPaths.join(' ')}.`] : []),
      ],
      kernel: ['mount(2) bind /dev/null', 'mount(MS_REMOUNT|MS_RDONLY)'],
      seeIt: [
        ...(c.rootfs.maskedPaths.length ? [`\`cat ${c.rootfs.maskedPaths.find((p) => p.startsWith('/proc/k')) ?? c.rootfs.maskedPaths[0]}\` inside prints nothing`] : []),
        ...(c.rootfs.readonlyPaths.includes('/proc/sys') ? ['`sysctl -w kernel.domainname=x` inside fails with "Read-only file system"'] : []),
      ],
    });
  }

  if (c.rlimits.length) {
    add({
      id: 'rlimits',
      phase: 'inside',
      title: 'Set resource limits (rlimits)',
      lines: [
        'rlimits limit each process (not the whole container like a cgroup); children inherit them.',
        ...c.rlimits.map((r) => `${r.resource.toLowerCase()}: soft ${r.soft}, hard ${r.hard} — ${RLIMIT_FACTS[r.resource]?.caps ?? 'see setrlimit(2)'}.`),
      ],
      kernel: c.rlimits.map((r) => `setrlimit(RLIMIT_${r.resource}, ${r.soft}, ${r.hard})`),
      seeIt: [...c.rlimits.map((r) => `${RLIMIT_FACTS[r.resource]?.see ?? '`cat /proc/self/limits`'} inside`), '`cat /proc/PID/limits` on the host'],
    });
  }

  if (c.process.sessionLeader) {
    add({
      id: 'setsid',
      phase: 'inside',
      title: 'Start a new session',
      lines: ['The command leads its own session with no controlling terminal, like a daemon.'],
      kernel: ['setsid(2)'],
      seeIt: ['`ps -o sid,pid,tty,cmd` inside'],
    });
  }

  if (c.noNewPrivileges) {
    add({
      id: 'no-new-privs',
      phase: 'inside',
      title: 'Forbid gaining privileges (no_new_privs)',
      lines: ['From now on, setuid binaries (su, sudo, ping on old systems) and file capabilities no longer raise privileges. It cannot be undone.'],
      kernel: ['prctl(PR_SET_NO_NEW_PRIVS, 1)'],
      seeIt: ['`grep NoNewPrivs /proc/self/status` inside prints 1'],
    });
  }

  add(userStep(c));
  add(capabilitiesStep(c));

  if (c.seccomp) {
    const s = c.seccomp;
    const act = (a: { action: string; errno?: number }) => (a.action === 'errno' ? `fail with errno ${a.errno}` : a.action === 'allow' ? 'allowed' : a.action.replace('_', ' '));
    const describe = (r: SeccompRule) => `${r.syscalls.join(', ')}: ${act(r)}${r.args.length ? ` when ${r.args.map((a) => `arg${a.index} ${a.op} ${a.value}`).join(' and ')}` : ''}.`;
    const own = s.profile === 'default' ? s.rules.filter((r) => !r.optional) : s.rules;
    add({
      id: 'seccomp',
      phase: 'inside',
      title: s.profile === 'default'
        ? `Install haco's default seccomp filter (${allowedSyscallCount(s)} syscalls allowed, any other: ${act(s)})`
        : `Install a seccomp filter (${s.rules.length} rule${s.rules.length === 1 ? '' : 's'}, default: ${act(s)})`,
      lines: [
        'A seccomp filter checks every system call before the kernel runs it; it is installed last so the launcher\'s own calls are not filtered.',
        ...(s.profile === 'default'
          ? [
              'The default profile is an allow list of what ordinary programs use. Calls that manage the kernel or cross the container\'s walls (mount, unshare, setns, ptrace, bpf, kexec_load, keyctl, …) are refused unless the container keeps the capability they need (sys_admin, sys_ptrace, …); clone(2) may not create namespaces without sys_admin.',
              '`haco plan --json` lists every rule; `.seccomp(false)` turns the filter off, `.seccomp((s) => s.allow([...]))` lets more through.',
            ]
          : []),
        ...own.map(describe),
        `Any other system call: ${act(s)}.`,
      ],
      kernel: ['seccomp(2) via libseccomp'],
      seeIt: [
        '`grep Seccomp /proc/self/status` inside prints 2 (filter mode)',
        ...(s.profile === 'default' && !c.capabilities.bounding.includes('sys_admin') ? ['`unshare -U true` inside fails with "Operation not permitted"'] : []),
        ...(s.rules.some((r) => r.syscalls.includes('sethostname') && r.action === 'errno') ? ['`hostname x` inside fails even with sys_admin'] : []),
      ],
    });
  }

  addHooks(c, 'beforeExec', add, 'Inside the container, just before the command');
  add(execStep(c));
  add(afterStep(c));
  return steps;
}

function createStep(c: ContainerPlan): ExplainStep {
  const b = c.bootstrap;
  const path = c.rootfs.overlay ? c.rootfs.overlay.upper : c.rootfs.path;
  const how: Record<typeof b.strategy, () => string> = {
    host: () => `No download: the rootfs only gets its own /etc, /var, /tmp and /root; at start the host's ${b.strategy === 'host' ? b.binds.join(' ') : ''} are bound into it read-only.`,
    busybox: () => `A tiny rootfs made of the host's static busybox${b.strategy === 'busybox' ? ` (${b.busybox})` : ''} and one link per tool.`,
    debootstrap: () => (b.strategy === 'debootstrap' ? `debootstrap(8) installs Debian/Ubuntu "${b.suite}" (${b.variant}) from ${b.mirror ?? 'the host\'s apt mirror'}.` : ''),
    lxc: () => (b.strategy === 'lxc' ? `lxc-create runs the "${b.template}" template${b.args.length ? ` with ${b.args.join(' ')}` : ''}.` : ''),
    tarball: () => (b.strategy === 'tarball' ? `The archive ${b.archive} is unpacked (entries that would land outside the rootfs are refused).` : ''),
    directory: () => (b.strategy === 'directory' ? (b.source ? `The tree ${b.source} is copied.` : 'The directory is used as it is.') : ''),
    shell: () => 'Your bootstrap script fills $ROOTFS.',
    image: () => (b.strategy === 'image' ? `skopeo copies the image ${b.image} into the shared image cache and umoci unpacks its layers; the digest and config are pinned for the plan.` : ''),
    none: () => `Nothing: ${c.rootfs.path} must already hold a root filesystem.`,
  };
  return {
    id: 'create',
    phase: 'create',
    title: `Before the first start: build the root filesystem (${b.strategy === 'none' ? 'it must exist' : '`haco create`'})`,
    lines: [
      how[b.strategy](),
      ...(b.post.length ? [`Then the post steps run on the host: ${b.post.map((p) => p.name).join(', ')}.`] : []),
      ...(c.provision.steps.length || c.provision.files.length
        ? [`\`haco provision\` then copies ${c.provision.files.length} file(s) and runs ${c.provision.steps.length} step(s) inside it: ${c.provision.steps.map((s) => s.name).join(', ') || '—'}.`]
        : []),
    ],
    kernel: [],
    seeIt: [`\`ls ${path}\` on the host`],
  };
}

function rootfsStep(c: ContainerPlan): ExplainStep {
  const r = c.rootfs;
  const lines = [`Mount propagation of / becomes ${r.propagation}: ${r.propagation.endsWith('private') ? 'nothing mounted inside leaks to the host, and host mounts no longer appear inside' : r.propagation.endsWith('slave') ? 'host mounts still appear inside, but nothing leaks out' : 'mounts travel both ways (rarely what you want)'}.`];
  const kernel = [`mount(NULL, "/", NULL, MS_REC|MS_${r.propagation.replace(/^r/, '').toUpperCase()})`];
  if (r.overlay) {
    lines.push(
      `overlayfs stacks the read-only layers ${r.overlay.lower.join(' over ')} under ${r.overlay.upper}: the container sees one merged tree at ${r.path}.`,
      `Every change (new files, edits, deletions as "whiteouts") goes to ${r.overlay.upper}; the lower layers never change, so several containers can share them.`,
    );
    kernel.push(`mount("overlay", "${r.path}", "overlay", 0, "lowerdir=${r.overlay.lower.join(':')},upperdir=${r.overlay.upper},workdir=${r.overlay.work}")`);
  } else {
    lines.push(`${r.path} is bound onto itself so that it is a mount point (pivot_root requires one).`);
    kernel.push(`mount("${r.path}", "${r.path}", NULL, MS_BIND|MS_REC)`);
  }
  if (c.bootstrap.strategy === 'host') lines.push(`The host's ${c.bootstrap.binds.join(' ')} are bound read-only into it (those that exist): the container runs the host's programs but cannot change them.`);
  return {
    id: 'rootfs',
    phase: 'inside',
    title: r.overlay ? 'Assemble the root filesystem from overlay layers' : `Prepare the root filesystem ${r.path}`,
    lines,
    kernel,
    seeIt: r.overlay
      ? ['`findmnt /` inside shows overlay', `\`touch /new\` inside, then \`ls ${r.overlay.upper}\` on the host shows new while the lower layers do not`]
      : ['`findmnt -o TARGET,PROPAGATION /` inside'],
  };
}

function describeMount(m: MountEntry): string {
  switch (m.type) {
    case 'standard':
      return {
        proc: `${m.target}: a proc filesystem for the container's pid namespace — what \`ps\` reads, so it lists only the container's processes.`,
        sys: `${m.target}: sysfs (read-only unless the net namespace is the host's), the kernel's view of devices.`,
        dev: `${m.target}: a minimal /dev on tmpfs with only null, zero, full, random, urandom, tty and ptmx — no disks (\`ls /dev\`).`,
        devpts: `${m.target}: a private devpts, so terminals opened inside are numbered from 0 and invisible to the host.`,
        shm: `${m.target}: a tmpfs for POSIX shared memory.`,
        mqueue: `${m.target}: the POSIX message queues of the container's ipc namespace.`,
      }[m.fs];
    case 'bind':
      return `${m.target}: the host's ${m.source}, bound ${m.readonly ? 'read-only' : 'read-write'} — a hole in the isolation: the same files on both sides${m.readonly ? '' : ', and changes inside are visible on the host'}.`;
    case 'tmpfs':
      return `${m.target}: a tmpfs (in memory, gone at exit)${m.size !== undefined ? `, at most ${formatSize(m.size)} (\`df -h ${m.target}\`)` : ''}.`;
    case 'fs':
      return `${m.target}: ${m.fstype} from ${m.source}${m.data ? ` (${m.data})` : ''}.`;
    case 'hostFile':
      return `${m.target}: the host's ${m.source}, read-only (name resolution works as on the host).`;
  }
}

function switchRootStep(c: ContainerPlan): ExplainStep {
  if (c.rootfs.switchRoot === 'chroot') {
    return {
      id: 'chroot',
      phase: 'inside',
      title: `Switch root with chroot(2) into ${c.rootfs.path}`,
      lines: [
        'chroot only changes where this process\'s "/" starts; the host\'s root stays mounted in the mount namespace.',
        'Why that matters: a root process that keeps sys_chroot can chroot into a subdirectory, climb out with "..", and reach the host\'s files. pivot_root (the default) detaches the old root, so there is nothing to climb back to.',
      ],
      kernel: [`chdir("${c.rootfs.path}")`, 'chroot(".")'],
      seeIt: ['`cat /proc/self/mountinfo` inside still lists the host\'s mounts', 'the tutorial\'s chroot chapter shows the escape'],
    };
  }
  return {
    id: 'pivot-root',
    phase: 'inside',
    title: `Switch root with pivot_root(2) into ${c.rootfs.path}`,
    lines: [
      `${c.rootfs.path} becomes "/" for the container's mount namespace, and the host's old root is unmounted from it (MNT_DETACH).`,
      'Why pivot_root and not chroot: after this, no path — not even "/.." or a second chroot — leads back to the host\'s filesystem.',
    ],
    kernel: [`chdir("${c.rootfs.path}")`, 'pivot_root(".", ".")', 'umount2(".", MNT_DETACH)'],
    seeIt: ['`ls /` inside shows the rootfs, not the host', '`cat /proc/self/mountinfo` inside lists only the container\'s mounts'],
  };
}

function userStep(c: ContainerPlan): ExplainStep {
  const u = c.process.user;
  const mapped = c.namespaces.uidMap.find((m) => u.uid >= m.inside && u.uid < m.inside + m.count);
  const hostUid = c.namespaces.unshare.includes('user') ? (mapped ? mapped.outside + (u.uid - mapped.inside) : undefined) : u.uid;
  const onHost = hostUid === undefined ? 'which is not mapped (it shows as nobody)' : hostUid === u.uid ? 'the same uid on the host' : `uid ${hostUid} on the host`;
  return {
    id: 'user',
    phase: 'inside',
    title: u.uid === 0 ? 'Run as root (uid 0)' : `Switch to uid ${u.uid}, gid ${u.gid}`,
    lines: [
      `The command runs as uid ${u.uid}, gid ${u.gid}${u.groups.length ? `, groups ${u.groups.join(',')}` : ''} — ${onHost}.`,
      u.uid === 0
        ? 'Root inside is limited by the capability set below, not all-powerful.'
        : 'A non-root command has no capabilities at all unless some are kept as ambient.',
    ],
    kernel: ['setgroups(2)', `setresgid(${u.gid})`, `setresuid(${u.uid})`],
    seeIt: ['`id` inside', '`ps -o user,pid,cmd` on the host'],
  };
}

function capabilitiesStep(c: ContainerPlan): ExplainStep {
  const caps = c.capabilities;
  const kept = caps.bounding;
  const droppedDefaults = DEFAULT_CAPABILITIES.filter((x) => !kept.includes(x));
  const addedBeyond = kept.filter((x) => !DEFAULT_CAPABILITIES.includes(x));
  const notable = NOTABLE_MISSING.filter((x) => !kept.includes(x) && !droppedDefaults.includes(x));
  const effective = caps.effective;
  const lines: string[] = [
    `Kept (${kept.length}): ${kept.join(' ') || 'none'}.`,
    ...addedBeyond.map((x) => `Added beyond haco's default set: ${x} — lets it ${CAPABILITY_FACTS[x]?.allows ?? 'see capabilities(7)'}.`),
    ...droppedDefaults.map((x) => `Dropped from the default set: ${x} — it can no longer ${CAPABILITY_FACTS[x]?.allows ?? 'do what capabilities(7) lists'}.`),
    ...notable.map((x) => `Not granted: ${x} — it cannot ${CAPABILITY_FACTS[x]?.allows ?? 'do what capabilities(7) lists'}.`),
  ];
  if (c.process.user.uid !== 0) {
    lines.push(effective.length ? `As uid ${c.process.user.uid} it only has the ambient ones: ${caps.ambient.join(' ')}.` : `As uid ${c.process.user.uid} it has none of them in effect (no ambient capabilities).`);
  }
  const failures = [...droppedDefaults, ...notable].flatMap((x) => {
    const f = CAPABILITY_FACTS[x]?.withoutIt;
    return f ? [`without ${x}: ${f}`] : [];
  });
  return {
    id: 'capabilities',
    phase: 'inside',
    title: `Limit root's powers to ${kept.length} capabilities`,
    lines: ['Root\'s privileges are split into capabilities; the launcher sets all five sets (bounding, permitted, effective, inheritable, ambient) explicitly.', ...lines],
    kernel: ['prctl(PR_CAPBSET_DROP)', 'capset(2)', ...(caps.ambient.length ? ['prctl(PR_CAP_AMBIENT_RAISE)'] : [])],
    seeIt: ['`grep Cap /proc/self/status` inside, decoded with `capsh --decode=VALUE`', ...failures],
  };
}

function execStep(c: ContainerPlan): ExplainStep {
  const p = c.process;
  const extraEnv = Object.keys(p.env).filter((k) => DEFAULT_ENV[k] !== p.env[k]);
  const pid1 = c.namespaces.unshare.includes('pid');
  const stdio = Object.entries(p.stdio).filter(([, t]) => t?.side === 'container');
  return {
    id: 'exec',
    phase: 'exec',
    title: `Run ${p.args.join(' ')}`,
    lines: [
      `The environment is built from scratch (nothing is inherited from the host): ${Object.keys(p.env).join(', ')}${extraEnv.length ? ` — ${extraEnv.join(', ')} set by the definition` : ''}.`,
      `Working directory: ${p.cwd}.`,
      ...stdio.map(([stream, t]) => `${stream} goes to ${t!.path} inside the container.`),
      ...(p.reaper
        ? ['A tiny reaper stays PID 1: it forwards signals to the command and collects orphaned zombies; the command is PID 2.']
        : pid1
          ? ['The command becomes PID 1 of the container: when it exits the kernel kills every other process inside. PID 1 also ignores signals it has no handler for, so Ctrl-C may not stop it.']
          : []),
      p.preserveFds
        ? `Only stdin, stdout, stderr and fds 3..${2 + p.preserveFds} of the caller stay open (LISTEN_FDS=${p.preserveFds}, LISTEN_PID = the command's pid, for socket activation); every other fd is closed, so nothing haco was started with reaches the container by accident.`
        : 'Only stdin, stdout and stderr stay open: every other fd haco was started with is closed, so an open host directory cannot become a way out of the container.',
      `execvp(2) replaces the launcher's child with the command.`,
    ],
    kernel: ['chdir(2)', 'close_range(2) with CLOSE_RANGE_CLOEXEC', `execvp("${p.args[0] ?? ''}", …)`],
    seeIt: ['`env` inside', '`ls -l /proc/self/fd` inside', pid1 ? '`ps -o pid,cmd` inside shows the command as PID ' + (p.reaper ? '2' : '1') : '`echo $$` inside prints a host PID', '`pwd` inside'],
  };
}

function afterStep(c: ContainerPlan): ExplainStep {
  const hooks = c.hooks.filter((h) => h.point === 'afterExit' || h.point === 'afterFailure');
  const r = c.restart;
  return {
    id: 'after',
    phase: 'after',
    title: 'When the command exits',
    lines: [
      ...(c.process.daemonize ? ['It runs detached by default (`haco start` returns at once); a small supervisor waits for it.'] : ['`haco start` waits for it and exits with its exit status.']),
      r.policy === 'no'
        ? 'It is not restarted.'
        : `It is restarted ${r.policy === 'always' ? 'whenever it exits' : 'when it fails'}${r.maxRetries ? `, at most ${r.maxRetries} times` : ''}, after ${r.backoffMs}ms (doubled each time).`,
      ...hooks.map((h) => `${h.point} hook on the host: ${h.command.join(' ')}.`),
      `The cgroup haco/${c.name} is removed${c.network?.cleanup ? ` and ${c.network.vethHost} is deleted` : ''}.`,
      `While it runs, \`haco reload\` may change: ${c.reloadable.join(', ') || 'nothing'}.`,
    ],
    kernel: ['waitpid(2)', 'rmdir(2) on the cgroup'],
    seeIt: ['`echo $?` after `haco start FILE -- CMD` prints the command\'s status'],
  };
}

function addHooks(c: ContainerPlan, point: HookPoint, add: (s: ExplainStep) => void, when: string): void {
  const hooks = c.hooks.filter((h) => h.point === point);
  if (!hooks.length) return;
  const inside = point === 'beforeExec';
  add({
    id: `hook-${point}`,
    phase: point === 'beforeExec' ? 'exec' : point === 'afterSpawn' ? 'clone' : 'host',
    title: `Run the ${point} hook${hooks.length > 1 ? 's' : ''}`,
    lines: [
      `${when}, ${inside ? 'inside the container' : 'on the host'}:`,
      ...hooks.map((h) => h.command.join(' ')),
      ...(inside ? [] : ['Host hooks get HACO_NAME, HACO_PID (once known), HACO_ROOTFS and HACO_STATE_DIR in their environment; a failing hook stops the start.']),
    ],
    kernel: ['fork(2) + execv(2)'],
    seeIt: [inside ? 'its output appears just before the command\'s' : 'its output appears in the terminal of `haco start`'],
  });
}

/** The device allow-list: which device numbers the processes may open or mknod, and how the kernel enforces it. */
function devicesStep(c: ContainerPlan): ExplainStep {
  const v1List = `/sys/fs/cgroup/devices/haco/${c.name}/devices.list`;
  if (allowsAllDevices(c.devices)) {
    return {
      id: 'devices',
      phase: 'host',
      title: 'No device cgroup: every host device is usable (unsafe)',
      lines: [
        ".devices('host') turns the device allow-list off. Root inside can make a node for any device with mknod(2) and open it: the host's disks, its memory, its kernel log.",
        'Only for seeing what the device cgroup prevents; remove it for anything else.',
      ],
      kernel: [],
      seeIt: ['`cat /proc/self/cgroup` inside: the devices line (v1) ends in `:/`, the host\'s root group'],
    };
  }
  const nodes = c.devices.filter((r) => r.path !== undefined);
  return {
    id: 'devices',
    phase: 'host',
    title: `Allow only ${c.devices.length} device rule${c.devices.length === 1 ? '' : 's'} (device cgroup)`,
    lines: [
      'Device files are only names for kernel drivers: whoever can make one (mknod(2), CAP_MKNOD) could reach any driver, the host\'s disks included. The device cgroup checks every open(2) and mknod(2) of a device against an allow-list; anything else fails with EPERM.',
      ...c.devices.map((r) => `${deviceRuleText(r)}: ${deviceRuleLabel(r)} (${accessWords(r.access)}).`),
      ...(nodes.length ? [`The host's ${nodes.map((r) => r.path).join(', ')} ${nodes.length === 1 ? 'is' : 'are'} bound into the container's /dev.`] : []),
      'cgroup v1: devices.deny `a`, then one devices.allow line per rule. cgroup v2 has no such file: the launcher attaches a BPF program (BPF_PROG_TYPE_CGROUP_DEVICE) built from the same rules to the container\'s cgroup.',
    ],
    kernel: ['write devices.deny, devices.allow (cgroup v1)', 'bpf(BPF_PROG_LOAD) + bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE) (cgroup v2)', 'mknod(2)', 'open(2)'],
    seeIt: [
      '`mknod /tmp/kmsg c 1 11` inside (with CAP_MKNOD) fails with "Operation not permitted"; a kmsg node shipped in the image cannot be opened either',
      `\`cat ${v1List}\` on a cgroup v1 host; \`haco inspect ${c.name}\``,
    ],
  };
}

function accessWords(access: string): string {
  const words = [access.includes('r') ? 'read' : '', access.includes('w') ? 'write' : '', access.includes('m') ? 'mknod' : ''].filter(Boolean);
  return words.join(', ');
}
