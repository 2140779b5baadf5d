import * as posix from 'node:path/posix';
import type { CgroupSetup } from '../cgroup/types';
import { DEFAULT_CAPABILITIES, DEFAULT_ENV } from '../plan/defaults';
import { allowsAllDevices, deviceRuleLabel, deviceRuleText } from '../plan/devices';
import { allowedSyscallCount } from '../plan/seccomp-default';
import { formatSize } from '../plan/size';
import { NAMESPACE_KINDS, type ContainerPlan, type MountEntry, type NamespaceKind, type SeccompRule, type UsermodeNetworkPlan } from '../plan/types';
import { SLIRP_ADDRESSES } from '../network/usermode';
import type { HostFacts } from '../runtime/host-facts';
import { describeCgroupWrite } from './cgroup';
import { CAPABILITY_FACTS, NAMESPACE_FACTS, NOTABLE_MISSING, RLIMIT_FACTS } from './knowledge';
import type { SectionId } from './types';
import type { SpecStepView } from './types';

/** One section of the explanation: consecutive launch spec steps told together. */
export interface Section {
  id: SectionId;
  steps: SpecStepView[];
  c: ContainerPlan;
  host: HostFacts;
  cgroup: CgroupSetup;
}

/** What a section says; its `kernel` lines come from the steps (prose.ts), plus any given here. */
export interface SectionText {
  title: string;
  lines: string[];
  seeIt: string[];
}

const fieldsOf = (s: Section, step: string) => s.steps.filter((x) => x.step === step).map((x) => x.fields);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function launcher(s: Section): SectionText {
  const stateDir = fieldsOf(s, 'state-dir')[0]?.[0];
  const hostDirs = fieldsOf(s, 'host-dir').map((f) => f[0]);
  const hints = fieldsOf(s, 'hint').length;
  const log = fieldsOf(s, 'log')[0]?.[0];
  const fds = Number(fieldsOf(s, 'preserve-fds')[0]?.[0] ?? 0);
  return {
    title: stateDir ? `Check the whole launch spec, then lock ${stateDir}` : 'Check the whole launch spec',
    lines: [
      "`haco start` hands the launch spec to haco's small C launcher, haco-launch. It reads every step and checks names, fields and phases before its first system call, so a mistake never leaves half a container behind.",
      ...(hostDirs.length ? [`It makes haco's own host directories (${hostDirs.join(', ')}) owned by root and never follows a symlink there.`] : []),
      ...(stateDir ? [`It holds the lock ${stateDir}/lock for its whole life: a second \`haco start\` of "${s.c.name}" fails at once instead of touching this one's cgroups; \`haco ps\` reads ${stateDir}/state.`] : []),
      ...(log ? [`The container's output goes through pipes into ${log}, one timestamped line each (\`haco logs ${s.c.name}\`).`] : []),
      ...(fds ? [`fds 3..${2 + fds} of the caller stay open for the command (socket activation); every other one is closed.`] : []),
      ...(hints ? [`${plural(hints, 'hint')} wait for the steps most likely to fail on this host, saying what an errno means here and what to do.`] : []),
    ],
    seeIt: ['`haco plan --launch FILE` prints this launch spec, one step a line', '`haco start --trace FILE` prints every step as the system call it makes'],
  };
}

function cgroup(s: Section): SectionText {
  const mkdirs = fieldsOf(s, 'cgroup-mkdir').map((f) => f[0]!);
  const own = mkdirs.filter((d) => posix.basename(d) === s.c.name);
  const writes = fieldsOf(s, 'cgroup-write').map(([file, value]) => ({ file: file!, value: value!, text: describeCgroupWrite(file!, value!, s.c, s.cgroup.oomEvents) }));
  const v1 = s.cgroup.version === 'v1';
  const cpuacct = s.host.cgroup.v1?.hierarchies['cpuacct'];
  const lines = [
    `A control group counts and limits the resources of every process in it, including all the processes the command will start. This host is cgroup ${s.host.cgroup.mode === 'hybrid' ? 'v1 hybrid' : s.host.cgroup.mode}: ${v1 ? 'haco drives its v1 hierarchies, one group per controller it needs' : 'one group in the unified hierarchy'}.`,
    ...(own.length ? [`The container's group${own.length > 1 ? 's' : ''}: ${own.join(', ')}.`] : []),
    ...(v1 && cpuacct && own.some((d) => d.startsWith(`${cpuacct}/`)) ? [`cpuacct (${cpuacct}) counts its CPU time: \`haco ps\` and \`haco inspect\` read cpuacct.usage there.`] : []),
    ...(fieldsOf(s, 'cgroup-lock').length ? ['A shared lock keeps a concurrent cleanup from removing the haco/ parents until the child has joined.'] : []),
    ...writes.flatMap((w) => (w.text ? [`${posix.basename(w.file)} = ${w.value}${posix.basename(posix.dirname(w.file)) === s.c.name ? '' : ` (in ${posix.dirname(w.file)})`}: ${w.text.meaning}.`] : [])),
    ...(writes.length === 0 ? ['No limits are set: the container may use all CPUs and memory, but its processes can still be counted and killed together.'] : []),
    ...s.cgroup.notes.map((n) => `Not applied on this host: ${n}.`),
    ...(allowsAllDevices(s.c.devices) ? [".devices('host') turns the device allow-list off: root inside can make a node for any device with mknod(2) and open it — the host's disks, its memory, its kernel log. Only for seeing what the device cgroup prevents."] : []),
  ];
  return {
    title: `Create the cgroup haco/${s.c.name}${writes.some((w) => w.text && posix.basename(posix.dirname(w.file)) === s.c.name) ? ' and write its limits' : ''}`,
    lines,
    seeIt: [`\`ls ${own[0] ?? s.cgroup.tracking}\` on the host while it runs`, ...writes.flatMap((w) => (w.text && posix.basename(posix.dirname(w.file)) === s.c.name ? [w.text.seeIt] : []))],
  };
}

function devices(s: Section): SectionText {
  const c = s.c;
  const nodes = c.devices.filter((r) => r.path !== undefined);
  const access = (a: string) => [a.includes('r') ? 'read' : '', a.includes('w') ? 'write' : '', a.includes('m') ? 'mknod' : ''].filter(Boolean).join(', ');
  const v1 = fieldsOf(s, 'cgroup-write')[0]?.[0];
  const bpf = fieldsOf(s, 'cgroup-devices')[0]?.[0];
  return {
    title: `Allow only ${plural(c.devices.length, 'device rule')} (device cgroup)`,
    lines: [
      "Device files are only names for kernel drivers: whoever can make one (mknod(2), CAP_MKNOD) could reach any driver, the host's disks included. The device cgroup checks every open(2) and mknod(2) of a device against an allow-list; anything else fails with EPERM.",
      ...c.devices.map((r) => `${deviceRuleText(r)}: ${deviceRuleLabel(r)} (${access(r.access)}).`),
      ...(nodes.length ? [`The host's ${nodes.map((r) => r.path).join(', ')} ${nodes.length === 1 ? 'is' : 'are'} bound into the container's /dev.`] : []),
      v1
        ? `cgroup v1: \`a\` (all) is written to ${posix.dirname(v1)}/devices.deny, then one devices.allow line per rule.`
        : `cgroup v2 has no devices file: the launcher builds a BPF program (BPF_PROG_TYPE_CGROUP_DEVICE) from the rules and attaches it to ${bpf}.`,
    ],
    seeIt: [
      '`mknod /tmp/kmsg c 1 11` inside (with CAP_MKNOD) fails with "Operation not permitted"; a kmsg node shipped in the image cannot be opened either',
      v1 ? `\`cat ${posix.dirname(v1)}/devices.list\` on the host` : `\`bpftool cgroup show ${bpf}\` on the host`,
    ],
  };
}

function stdio(s: Section, side: 'host' | 'container'): SectionText {
  const streams = ['stdin', 'stdout', 'stderr'];
  return {
    title: side === 'host' ? 'Open the output files on the host' : 'Redirect the standard streams inside the container',
    lines: fieldsOf(s, 'stdio').map(([fd, , file, mode]) =>
      `${streams[Number(fd)] ?? `fd ${fd}`} goes to ${file} ${side === 'host' ? 'on the host' : 'inside the container'} (${mode === 'a' ? 'appended' : mode === 'r' ? 'read' : 'truncated first'})${side === 'host' ? ', opened before any namespace exists' : ''}.`,
    ),
    seeIt: fieldsOf(s, 'stdio').map(([, , file]) => (side === 'host' ? `\`cat ${file}\` on the host` : `\`cat ${file}\` inside`)),
  };
}

function setns(s: Section): SectionText {
  const joined = fieldsOf(s, 'setns');
  return {
    title: 'Join existing namespaces',
    lines: [
      ...joined.map(([kind, file]) => `Joins the ${kind} namespace of ${file}: whatever else lives in it (${NAMESPACE_FACTS[kind as NamespaceKind]?.isolates ?? kind}) is shared with the container.`),
      ...(joined.length > 1 ? ['The user namespace comes first: it grants the rights to join the others it owns.'] : []),
    ],
    seeIt: joined.map(([kind, file]) => `\`readlink /proc/self/ns/${kind === 'mount' ? 'mnt' : kind}\` inside names the same namespace as \`stat -L -c %i ${file}\` on the host`),
  };
}

function time(s: Section): SectionText {
  const offsets = fieldsOf(s, 'timens-offset').map(([clock, secs]) => `${clock} by ${secs}s`);
  return {
    title: 'Create a time namespace with shifted clocks',
    lines: [
      `time (CLONE_NEWTIME): isolates ${NAMESPACE_FACTS.time.isolates}.`,
      'clone(2) cannot create one, so the launcher unshares it for itself: its next child starts inside. The offsets can only be written now, before any process is in it.',
      ...(offsets.length ? [`Shifted: ${offsets.join(', ')}.`] : ['No offsets: the clocks read as on the host.']),
    ],
    seeIt: [NAMESPACE_FACTS.time.seeIsolated],
  };
}

function hooks(s: Section, when: string, inside: boolean): SectionText {
  const point = s.id.replace('hook-', '');
  const argvs = [...fieldsOf(s, 'hook'), ...fieldsOf(s, 'hook-at').map((f) => f.slice(1))];
  return {
    title: `Run the ${point} hook${argvs.length > 1 ? 's' : ''}`,
    lines: [
      `${when}, ${inside ? 'inside the container' : 'on the host'}:`,
      ...argvs.map((a) => a.join(' ')),
      ...(inside ? [] : ['Host hooks get HACO_NAME, HACO_PID (once known), HACO_ROOTFS and HACO_STATE_DIR in their environment; a failing hook stops the start.']),
    ],
    seeIt: [inside ? "its output appears just before the command's" : 'its output appears in the terminal of `haco start`'],
  };
}

/** The points added for haconiwa's hook list (setup, afterChroot, …): one section per run of them. */
function hookPoint(s: Section): SectionText {
  const at = fieldsOf(s, 'hook-at');
  const points = [...new Set(at.map((f) => f[0]!))];
  const inside = s.steps.some((st) => st.phase === 'enter');
  return {
    title: `Run the ${points.join(', ')} hook${at.length > 1 ? 's' : ''}`,
    lines: [
      `${inside ? 'In the container\'s child process, as root in its namespaces' : 'On the host'}, each in its own process group, killed after the hook time limit:`,
      ...at.map((f) => `${f[0]}: ${f.slice(1).join(' ')}`),
      'HACO_POINT names the point; a failing hook stops the start.',
    ],
    seeIt: ['`haco start --trace FILE -- true` shows each one as fork() + execv() with its point'],
  };
}

function clone(s: Section): SectionText {
  const c = s.c;
  const [kinds, into] = fieldsOf(s, 'spawn')[0] ?? ['-'];
  const bornIn = fieldsOf(s, 'spawn-cgroup').map((f) => f[0]!);
  const created = kinds === '-' ? [] : kinds!.split(',') as NamespaceKind[];
  const has = (k: NamespaceKind) => c.namespaces.unshare.includes(k);
  const shared = NAMESPACE_KINDS.filter((k) => !has(k) && !c.namespaces.enter.some((e) => e.kind === k));
  return {
    title: created.length ? `Create the container's first process in new namespaces: ${created.join(', ')}` : "Create the container's first process (no new namespaces)",
    lines: [
      into
        ? `clone3(2) starts a child process straight inside its cgroup ${into} (CLONE_INTO_CGROUP, cgroup v2 on Linux 5.7+), so it needs no move; each CLONE_NEW* flag gives it a private copy of one kind of kernel resource.`
        : bornIn.length
          ? `clone(2) starts a child process straight inside its cgroups (${bornIn.join(', ')}): the launcher moves itself into each (writing 0 to its tasks file moves only that thread, without the kernel's migration lock), clones the child there and moves back into its own cgroups the same way; each CLONE_NEW* flag gives it a private copy of one kind of kernel resource.`
          : 'clone(2) starts a child process; each CLONE_NEW* flag gives it a private copy of one kind of kernel resource.',
      'The child waits on a pipe until the launcher has wired it up.',
      ...created.map((k) => `${k} (${NAMESPACE_FACTS[k].flag}): isolates ${NAMESPACE_FACTS[k].isolates}.`),
      ...(has('time') ? ['time: created above, before the clone (the child is born in it).'] : []),
      ...(has('cgroup') ? ['cgroup: created by the child once it is in its cgroup, so that cgroup becomes the root it sees.'] : []),
      ...(shared.length ? [`Shared with the host: ${shared.join(', ')}.`] : ["Nothing is shared with the host's namespaces."]),
      ...shared.map((k) => `${k} is shared: ${NAMESPACE_FACTS[k].seeShared.replaceAll('NAME', c.name)}.`),
    ],
    seeIt: [
      '`ls -l /proc/self/ns` inside and on the host: a new namespace has a different number in brackets',
      ...c.namespaces.unshare.map((k) => NAMESPACE_FACTS[k].seeIsolated.replaceAll('NAME', c.name)),
    ],
  };
}

function idMaps(s: Section): SectionText {
  const ns = s.c.namespaces;
  const line = (kind: string, m: { inside: number; outside: number; count: number }) => `${kind} ${m.inside}–${m.inside + m.count - 1} inside are ${m.outside}–${m.outside + m.count - 1} on the host.`;
  return {
    title: 'Map user and group IDs of the new user namespace',
    lines: [
      ...ns.uidMap.map((m) => line('uids', m)),
      ...ns.gidMap.map((m) => line('gids', m)),
      'Root inside is therefore an ordinary user on the host: its capabilities only count for resources its namespaces own.',
      `setgroups is "${ns.setgroups}"${ns.setgroups === 'deny' ? ' (needed when an unprivileged user writes the gid map)' : ''}; it is written before gid_map, as the kernel requires.`,
    ],
    seeIt: ['`cat /proc/self/uid_map` inside', '`id` inside prints uid=0; `ps -o user,pid,cmd` on the host shows the mapped uid'],
  };
}

function cgroupJoin(s: Section): SectionText {
  const dirs = fieldsOf(s, 'cgroup-join').map((f) => f[0]!);
  return {
    title: `Move the process into haco/${s.c.name}`,
    lines: [
      `The waiting child is put into ${dirs.length > 1 ? `its ${dirs.length} groups` : 'its group'} before it runs anything, so it and every process it forks are counted and limited.`,
      ...dirs.map((d) => `${d}/cgroup.procs gets its PID.`),
      ...(s.cgroup.version === 'v1' ? ['cgroup v1 has one hierarchy per controller, so the move is made once in each.'] : ['(On Linux 5.7+ it would be born there instead, with clone3(CLONE_INTO_CGROUP); this host or this plan does not allow it.)']),
    ],
    seeIt: [`\`cat /proc/PID/cgroup\` on the host (PID from \`haco ps\`), or \`cat ${dirs[0]}/cgroup.procs\``],
  };
}

function persist(s: Section): SectionText {
  const refs = fieldsOf(s, 'persist-ns');
  return {
    title: 'Keep namespaces alive in files',
    lines: refs.map(([kind, file]) => `The ${kind} namespace is bind-mounted onto ${file}: it outlives the container, and other processes can join it from there.`),
    seeIt: refs.map(([kind, file]) => `\`findmnt ${file}\` on the host; \`nsenter --${kind}=${file} true\` joins it`),
  };
}

function network(s: Section): SectionText {
  const n = s.c.network;
  const um = s.c.usermodeNetwork;
  if (um) return usermodeNetwork(um);
  if (!n) {
    return {
      title: 'Network: only the loopback interface',
      lines: [
        "The new net namespace (a default) has no way out: only `lo` exists, and haco brings it up. The host's interfaces, its 127.0.0.1 services and its abstract unix sockets are out of reach.",
        "Add .network({ bridge, … }) to plug it into a host bridge, or .share('net') to use the host's network.",
      ],
      seeIt: ['`ip addr` inside lists only lo', "`readlink /proc/self/ns/net` inside differs from the host's", '`wget -T2 http://1.1.1.1` inside fails with "Network unreachable"'],
    };
  }
  return {
    title: `Wire the network: veth pair ${n.vethHost} ↔ ${n.vethGuest} on bridge ${n.bridge}`,
    lines: [
      `${n.createBridge ? `The bridge ${n.bridge} (${n.bridgeAddress}) is created on the host if missing` : `The bridge ${n.bridge} must already exist on the host`}; a bridge is a virtual switch.`,
      `A veth pair is a virtual cable: ${n.vethHost} stays on the host, plugged into ${n.bridge}; ${n.vethGuest} is moved into the container's net namespace.`,
      `Inside, ${n.vethGuest} gets ${n.address}${n.gateway ? ` and the default route goes via ${n.gateway}` : ''}.`,
      ...(n.address6
        ? [`IPv6 next to it: ${n.bridge} gets ${n.bridgeAddress6 ?? ''}, ${n.vethGuest} gets ${n.address6}${n.gateway6 ? ` with the IPv6 default route via ${n.gateway6}` : ''} (nodad: usable at once).${n.nat ? ' Outbound IPv6 is masqueraded too (nft table ip6 haco).' : ''}`]
        : []),
      `${plural(fieldsOf(s, 'hook').length, 'iproute2 command')} run on the host now, with HACO_PID naming the waiting child.`,
      ...(n.cleanup ? [`${n.vethHost} is deleted when the container exits.`] : []),
    ],
    seeIt: [`\`ip addr show ${n.vethGuest}\` inside`, ...(n.address6 ? ['`ip -6 addr` and `ip -6 route` inside'] : []), `\`ip link show master ${n.bridge}\` on the host`, ...(n.gateway ? [`\`ping -c1 ${n.gateway}\` inside (ping needs .addCaps('net_raw'))`] : [])],
  };
}

function usermodeNetwork(um: UsermodeNetworkPlan): SectionText {
  const ports = (um.ports ?? []).map((p) => `${p.host}→${p.container}/${p.protocol}`);
  const gateway = um.tool === 'slirp4netns' ? SLIRP_ADDRESSES.gateway : "pasta's gateway (the host's own default gateway address)";
  return {
    title: `User-mode network: ${um.tool} carries the container's traffic`,
    lines: [
      `The launcher starts ${um.tool} now, next to the waiting child: it creates a tap interface inside the container's net namespace${um.tool === 'slirp4netns' ? ` (tap0 ${SLIRP_ADDRESSES.container}/24, default route via ${SLIRP_ADDRESSES.gateway})` : ' with the address and routes of the host\'s default-route interface'} and turns every packet the container sends into an ordinary socket call on the host. No bridge, veth or firewall rule is made, and none of it needs host root.`,
      `The launch waits until ${um.tool} reports it is ready (it writes to fd 3). When the container's run is over the launcher stops it (SIGTERM, then SIGKILL); if the launcher itself dies, the kernel kills it (PR_SET_PDEATHSIG).`,
      um.hostLoopback
        ? `hostLoopback: connections to ${gateway} reach the host's 127.0.0.1.`
        : `The host's 127.0.0.1 services stay out of reach (${um.tool === 'slirp4netns' ? '--disable-host-loopback' : '--no-map-gw'}; .network({ mode: '${um.tool}', hostLoopback: true }) opens them).`,
      ...(ports.length > 0 ? [`${um.tool} listens on the host's ports ${ports.join(', ')} and forwards each connection into the container.`] : []),
    ],
    seeIt: ['`ip addr` inside shows the tap interface', `\`pgrep -a ${um.tool}\` on the host: the helper, a child of the launcher (or the detached supervisor)`, ...(ports.length > 0 ? [`\`ss -ltnp\` on the host shows ${um.tool} on the forwarded ports`] : [])],
  };
}

function rootfs(s: Section): SectionText {
  const c = s.c;
  const r = c.rootfs;
  const mode = fieldsOf(s, 'propagation')[0]?.[1] ?? r.propagation;
  const binds = fieldsOf(s, 'bind').map((f) => f[0]);
  const overlay = fieldsOf(s, 'overlay-root')[0];
  const lines = [
    `Mount propagation of / becomes ${mode}: ${mode.endsWith('private') ? 'nothing mounted inside leaks to the host, and host mounts no longer appear inside' : mode.endsWith('slave') ? 'host mounts still appear inside, but nothing leaks out' : 'mounts travel both ways (rarely what you want)'}.`,
  ];
  if (overlay) {
    lines.push(
      `overlayfs stacks the read-only layers ${overlay[0]!.split(':').join(' over ')} under ${overlay[1]}: the container sees one merged tree at ${overlay[3]}.`,
      `Every change (new files, edits, deletions as "whiteouts") goes to ${overlay[1]}; the lower layers never change, so several containers can share them.`,
    );
  } else {
    lines.push(`${r.path} is bound onto itself so that it is a mount point (pivot_root requires one).`);
  }
  if (binds.length) lines.push(`The host's ${binds.join(' ')} are bound read-only into it: the container runs the host's programs but cannot change them.`);
  return {
    title: overlay ? 'Assemble the root filesystem from overlay layers' : `Prepare the root filesystem ${r.path}`,
    lines,
    seeIt: overlay ? ['`findmnt /` inside shows overlay', `\`touch /new\` inside, then \`ls ${overlay[1]}\` on the host shows new while the lower layers do not`] : ['`findmnt -o TARGET,PROPAGATION /` inside'],
  };
}

function describeMount(m: MountEntry): string {
  switch (m.type) {
    case 'standard':
      return {
        proc: `${m.target}: a proc filesystem for the container's pid namespace — what \`ps\` reads, so it lists only the container's processes.`,
        sys: `${m.target}: sysfs (read-only unless the net namespace is the host's), the kernel's view of devices.`,
        dev: `${m.target}: a minimal /dev on tmpfs with only null, zero, full, random, urandom, tty and ptmx — no disks (\`ls /dev\`); the nodes are the host's, bound onto empty files, so this works in a user namespace too.`,
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

function mounts(s: Section): SectionText {
  const c = s.c;
  const count = s.steps.filter((x) => x.step === 'mount' || x.step === 'bind').length;
  return {
    title: `Mount ${plural(count, 'filesystem')} inside the rootfs`,
    lines: [...c.mounts.map(describeMount), 'Targets are resolved inside the rootfs without following a symlink out of it.'],
    seeIt: ['`findmnt` inside', `on the host these mounts are invisible: \`findmnt | grep ${c.name}\` finds nothing`],
  };
}

function lxcfs(s: Section): SectionText {
  const binds = fieldsOf(s, 'bind');
  const where = s.c.lxcfs?.mountpoint ?? '';
  return {
    title: `Show the container's limits in ${plural(binds.length, 'file')} of /proc (lxcfs)`,
    lines: [
      `The host's lxcfs (a FUSE file system at ${where}) is bound over ${binds.map((f) => f[1]).join(' ')}: reading one asks lxcfs, which answers from the reader's cgroups.`,
      "So meminfo's MemTotal is the memory limit, cpuinfo and stat list only the CPUs of the cpuset (and cpu quota), uptime counts from the container's start.",
      'The binds are read-only; lxcfs must be running (`haco lxcfs status`): `haco start` checks it first.',
    ],
    seeIt: ['`free -m` inside shows the memory limit as total', '`nproc` inside counts the cpuset\'s CPUs', '`findmnt /proc/meminfo` inside shows lxcfs'],
  };
}

function hostname(s: Section): SectionText {
  const name = fieldsOf(s, 'hostname')[0]?.[0] ?? s.c.process.hostname;
  return { title: `Set the hostname to "${name}"`, lines: ["Only the container's uts namespace changes; the host keeps its name."], seeIt: ['`hostname` inside and on the host'] };
}

function masks(s: Section): SectionText {
  const masked = fieldsOf(s, 'mask').map((f) => f[0]!);
  const ro = fieldsOf(s, 'readonly').map((f) => f[0]!);
  return {
    title: 'Hide and protect parts of /proc and /sys',
    lines: [
      ...(masked.length ? [`Hidden (/dev/null or an empty tmpfs mounted over them, because they leak host information): ${masked.join(' ')}.`] : []),
      ...(ro.length ? [`Read-only (they would change the whole host's kernel): ${ro.join(' ')}.`] : []),
      "This happens before the switch of root: the host's /dev/null is still reachable then.",
    ],
    seeIt: [
      ...(masked.length ? [`\`cat ${masked.find((p) => p.startsWith('/proc/k')) ?? masked[0]}\` inside prints nothing`] : []),
      ...(ro.includes('/proc/sys') ? ['`sysctl -w kernel.domainname=x` inside fails with "Read-only file system"'] : []),
      // The cgroup namespace's cgroupfs (compile-cgroupfs.ts) is made read-only by these steps too.
      ...(ro.some((p) => p.startsWith('/sys/fs/cgroup'))
        ? ['`findmnt -R /sys/fs/cgroup` inside: every cgroup mount is `ro`, and `mkdir /sys/fs/cgroup/x` fails with "Read-only file system"']
        : []),
    ],
  };
}

function pivotRoot(s: Section): SectionText {
  const dir = fieldsOf(s, 'pivot-root')[0]?.[0] ?? s.c.rootfs.path;
  return {
    title: `Switch root with pivot_root(2) into ${dir}`,
    lines: [
      `${dir} becomes "/" for the container's mount namespace, and the host's old root is unmounted from it (MNT_DETACH).`,
      "Why pivot_root and not chroot: after this, no path — not even \"/..\" or a second chroot — leads back to the host's filesystem.",
    ],
    seeIt: ['`ls /` inside shows the rootfs, not the host', "`cat /proc/self/mountinfo` inside lists only the container's mounts"],
  };
}

function chroot(s: Section): SectionText {
  const dir = fieldsOf(s, 'chroot')[0]?.[0] ?? s.c.rootfs.path;
  return {
    title: `Switch root with chroot(2) into ${dir}`,
    lines: [
      'chroot only changes where this process\'s "/" starts; the host\'s root stays mounted in the mount namespace.',
      'Why that matters: a root process that keeps sys_chroot can chroot into a subdirectory, climb out with "..", and reach the host\'s files. pivot_root (the default) detaches the old root, so there is nothing to climb back to.',
    ],
    seeIt: ["`cat /proc/self/mountinfo` inside still lists the host's mounts", "the tutorial's chroot chapter shows the escape"],
  };
}

function rlimits(s: Section): SectionText {
  const limits = fieldsOf(s, 'rlimit');
  return {
    title: 'Set resource limits (rlimits)',
    lines: [
      'rlimits limit each process (not the whole container like a cgroup); children inherit them.',
      ...limits.map(([name, soft, hard]) => `${name!.toLowerCase()}: soft ${soft}, hard ${hard} — ${RLIMIT_FACTS[name as keyof typeof RLIMIT_FACTS]?.caps ?? 'see setrlimit(2)'}.`),
    ],
    seeIt: [...limits.map(([name]) => `${RLIMIT_FACTS[name as keyof typeof RLIMIT_FACTS]?.see ?? '`cat /proc/self/limits`'} inside`), '`cat /proc/PID/limits` on the host'],
  };
}

function user(s: Section): SectionText {
  const c = s.c;
  const [uidText, gidText, groups] = fieldsOf(s, 'user').at(-1) ?? ['0', '0', '-'];
  const uid = Number(uidText);
  const mapped = c.namespaces.uidMap.find((m) => uid >= m.inside && uid < m.inside + m.count);
  const hostUid = c.namespaces.unshare.includes('user') ? (mapped ? mapped.outside + (uid - mapped.inside) : undefined) : uid;
  const onHost = hostUid === undefined ? 'which is not mapped (it shows as nobody)' : hostUid === uid ? 'the same uid on the host' : `uid ${hostUid} on the host`;
  return {
    title: uid === 0 ? 'Run as root (uid 0)' : `Switch to uid ${uid}, gid ${gidText}`,
    lines: [
      `The command runs as uid ${uid}, gid ${gidText}${groups && groups !== '-' ? `, groups ${groups}` : ''} — ${onHost}.`,
      uid === 0 ? 'Root inside is limited by the capability set below, not all-powerful.' : 'A non-root command has no capabilities at all unless some are kept as ambient.',
    ],
    seeIt: ['`id` inside', '`ps -o user,pid,cmd` on the host'],
  };
}

function capabilities(s: Section): SectionText {
  const c = s.c;
  const caps = c.capabilities;
  const kept = caps.bounding;
  const droppedDefaults = DEFAULT_CAPABILITIES.filter((x) => !kept.includes(x));
  const addedBeyond = kept.filter((x) => !DEFAULT_CAPABILITIES.includes(x));
  const notable = NOTABLE_MISSING.filter((x) => !kept.includes(x) && !droppedDefaults.includes(x));
  const lines: string[] = [
    "Root's privileges are split into capabilities; the launcher sets all five sets (bounding, permitted, effective, inheritable, ambient) explicitly.",
    `Kept (${kept.length}): ${kept.join(' ') || 'none'}.`,
    ...addedBeyond.map((x) => `Added beyond haco's default set: ${x} — lets it ${CAPABILITY_FACTS[x]?.allows ?? 'see capabilities(7)'}.`),
    ...droppedDefaults.map((x) => `Dropped from the default set: ${x} — it can no longer ${CAPABILITY_FACTS[x]?.allows ?? 'do what capabilities(7) lists'}.`),
    ...notable.map((x) => `Not granted: ${x} — it cannot ${CAPABILITY_FACTS[x]?.allows ?? 'do what capabilities(7) lists'}.`),
  ];
  if (c.process.user.uid !== 0) {
    lines.push(caps.effective.length ? `As uid ${c.process.user.uid} it only has the ambient ones: ${caps.ambient.join(' ')}.` : `As uid ${c.process.user.uid} it has none of them in effect (no ambient capabilities).`);
  }
  const failures = [...droppedDefaults, ...notable].flatMap((x) => {
    const f = CAPABILITY_FACTS[x]?.withoutIt;
    return f ? [`without ${x}: ${f}`] : [];
  });
  return {
    title: `Limit root's powers to ${kept.length} capabilities`,
    lines,
    seeIt: ['`grep Cap /proc/self/status` inside, decoded with `capsh --decode=VALUE`', ...failures],
  };
}

function seccomp(s: Section): SectionText {
  const f = s.c.seccomp!;
  const act = (a: { action: string; errno?: number }) => (a.action === 'errno' ? `fail with errno ${a.errno}` : a.action === 'allow' ? 'allowed' : a.action.replace('_', ' '));
  const describe = (r: SeccompRule) => `${r.syscalls.join(', ')}: ${act(r)}${r.args.length ? ` when ${r.args.map((a) => `arg${a.index} ${a.op} ${a.value}`).join(' and ')}` : ''}.`;
  const own = f.profile === 'default' ? f.rules.filter((r) => !r.optional) : f.rules;
  return {
    title:
      f.profile === 'default'
        ? `Build haco's default seccomp filter (${allowedSyscallCount(f)} syscalls allowed, any other: ${act(f)})`
        : `Build a seccomp filter (${plural(f.rules.length, 'rule')}, default: ${act(f)})`,
    lines: [
      `A seccomp filter checks every system call before the kernel runs it. ${plural(fieldsOf(s, 'seccomp-rule').length, 'rule')} go into it now; it is turned on only right before the command, so the launcher's own calls are not filtered.`,
      ...(f.profile === 'default'
        ? [
            "The default profile is an allow list of what ordinary programs use. Calls that manage the kernel or cross the container's walls (mount, unshare, setns, ptrace, bpf, kexec_load, keyctl, …) are refused unless the container keeps the capability they need (sys_admin, sys_ptrace, …); clone(2) may not create namespaces without sys_admin.",
            '`haco plan --json` lists every rule; `.seccomp(false)` turns the filter off, `.seccomp((s) => s.allow([...]))` lets more through.',
          ]
        : []),
      ...own.map(describe),
      `Any other system call: ${act(f)}.`,
    ],
    seeIt: [
      '`grep Seccomp /proc/self/status` inside prints 2 (filter mode)',
      ...(f.profile === 'default' && !s.c.capabilities.bounding.includes('sys_admin') ? ['`unshare -U true` inside fails with "Operation not permitted"'] : []),
      ...(f.rules.some((r) => r.syscalls.includes('sethostname') && r.action === 'errno') ? ['`hostname x` inside fails even with sys_admin'] : []),
    ],
  };
}

function environment(s: Section): SectionText {
  const p = s.c.process;
  const env = fieldsOf(s, 'env').map((f) => f[0]!);
  const extra = env.filter((k) => DEFAULT_ENV[k] !== p.env[k]);
  const cwd = fieldsOf(s, 'chdir')[0]?.[0] ?? p.cwd;
  return {
    title: `Change to ${cwd} and build the environment from scratch`,
    lines: [
      `Nothing is inherited from the host's environment: ${env.join(', ') || 'no variables'}${extra.length ? ` — ${extra.join(', ')} set by the definition` : ''}.`,
      `Working directory: ${cwd}.`,
    ],
    seeIt: ['`env` inside', '`pwd` inside'],
  };
}

function exec(s: Section): SectionText {
  const c = s.c;
  const p = c.process;
  const args = fieldsOf(s, 'exec')[0] ?? p.args;
  const pid1 = c.namespaces.unshare.includes('pid');
  return {
    title: `Run ${args.join(' ')}`,
    lines: [
      ...(p.reaper ? [] : pid1 ? ['The command becomes PID 1 of the container: when it exits the kernel kills every other process inside. PID 1 also ignores signals it has no handler for, so Ctrl-C may not stop it.'] : []),
      p.preserveFds
        ? `Only stdin, stdout, stderr and fds 3..${2 + p.preserveFds} of the caller stay open (LISTEN_FDS=${p.preserveFds}, LISTEN_PID = the command's pid, for socket activation); every other fd is closed, so nothing haco was started with reaches the container by accident.`
        : 'Only stdin, stdout and stderr stay open: every other fd haco was started with is closed, so an open host directory cannot become a way out of the container.',
      "execvp(3) replaces the launcher's child with the command, looked up in the container's PATH.",
    ],
    seeIt: ['`ls -l /proc/self/fd` inside', pid1 ? `\`ps -o pid,cmd\` inside shows the command as PID ${p.reaper ? '2' : '1'}` : '`echo $$` inside prints a host PID'],
  };
}

function after(s: Section): SectionText {
  const c = s.c;
  const restart = fieldsOf(s, 'restart')[0];
  const cleanup = fieldsOf(s, 'cleanup-cgroup').map((f) => f[0]!);
  const parents = fieldsOf(s, 'cleanup-cgroup-parent').map((f) => f[0]!);
  const oom = fieldsOf(s, 'report-oom')[0]?.[0];
  const cmds = fieldsOf(s, 'cleanup-cmd');
  const failure = fieldsOf(s, 'failure-cmd');
  const policy = restart?.[0] ?? 'no';
  return {
    title: 'When the command exits',
    lines: [
      '`haco start` waits for it and exits with its exit status. (With `haco start -d` it returns at once and the launcher stays as a small supervisor: it waits, restarts by the policy below, and keeps the log.)',
      policy === 'no'
        ? 'It is not restarted.'
        : `It is restarted ${policy === 'always' ? 'whenever it exits' : 'when it fails'}${restart?.[1] !== '0' ? `, at most ${restart?.[1]} times` : ''}, after ${restart?.[2]}ms (doubled each time).`,
      ...(oom ? [`A status of 137 alone does not say who sent the SIGKILL: the launcher reads the oom_kill counter of ${oom} and names the kernel's OOM killer when it was that.`] : []),
      ...(cleanup.length ? [`Whatever is left in its groups is killed, then they are removed: ${cleanup.join(', ')}${parents.length ? `; the shared parents ${parents.join(', ')} too when no other container uses them` : ''}.`] : []),
      ...cmds.map((a) => `Then on the host: ${a.join(' ')}.`),
      ...failure.map((a) => `When the status is not 0: ${a.join(' ')} (with HACO_EXIT_CODE).`),
      'The same cleanup runs after a launch that failed halfway: nothing is left behind.',
      `While it runs, \`haco reload\` may change: ${c.reloadable.join(', ') || 'nothing'}.`,
    ],
    seeIt: ["`echo $?` after `haco start FILE -- CMD` prints the command's status", `\`ls ${cleanup[0] ?? s.cgroup.tracking}\` on the host after the exit: No such file or directory`],
  };
}

const simple = (title: string, lines: string[], seeIt: string[]) => (): SectionText => ({ title, lines, seeIt });

/** The prose of every section. */
export const SECTION_PROSE: Record<SectionId, (s: Section) => SectionText> = {
  launcher,
  cgroup,
  devices,
  'stdio-host': (s) => stdio(s, 'host'),
  setns,
  time,
  'overlay-owner': (s) => {
    const o = s.c.rootfs.overlay;
    return {
      title: "Hand the overlay's upper and work dirs to the container's root",
      lines: [
        "The container has a user namespace, so its root (a high id on the host) mounts the overlay. overlayfs needs upper and work dirs that this root can write; otherwise the kernel mounts it read-only instead of failing.",
        'chown gives them to the mapped root: the upper dir itself (its contents belong to whoever wrote them) and the work dir with everything in it (overlayfs scratch space). The launcher also refuses a read-only fallback after the mount (EROFS).',
      ],
      seeIt: o ? [`\`ls -ldn ${o.upper} ${o.work}\` on the host`, '`dmesg | grep overlayfs` after a failed start'] : [],
    };
  },
  'apparmor-load': (s) => {
    const file = fieldsOf(s, 'hook')[0]?.at(-1) ?? '';
    return {
      title: `Load haco's AppArmor profile ${s.c.apparmor?.profile ?? ''}`,
      lines: [
        `AppArmor is a Linux security module: a profile lists what the confined programs may touch, whatever their user and capabilities. haco wrote its default profile to ${file}; apparmor_parser compiles it (once; later starts use its cache) and replaces the loaded copy, so a new haco version's profile takes effect.`,
        "It forbids mounting and writing the kernel's knobs in /proc and /sys (sysrq-trigger, kcore, /proc/sys outside the namespaced parts); `.apparmor(false)` turns it off, `.apparmor('NAME')` uses a profile the host has loaded.",
      ],
      seeIt: ['`grep haco /sys/kernel/security/apparmor/profiles` on the host', `\`cat ${file}\``],
    };
  },
  'hook-beforeStart': (s) => hooks(s, 'Before the container exists', false),
  clone,
  'id-maps': idMaps,
  'cgroup-join': cgroupJoin,
  'rootfs-owner': (s) => {
    const paths = fieldsOf(s, 'idmap-mount').map((f) => f[0]!);
    return {
      title: "Show the rootfs through the container's id maps",
      lines: [
        "The container's root is a high id on the host, so a rootfs owned by host root would be nobody's inside. The launcher, still root on the host, clones the mount at each path, marks the clone id-mapped with the child's user namespace (its maps are written by now), and moves it over the same path inside the child's mount namespace.",
        "Through that mount a file owned by host 0 belongs to the container's root, and what root writes is stored as 0 again: nothing in the tree is rewritten, and the mount ends with the container's mount namespace. The child's mount namespace belongs to its user namespace, so the mount never propagates back to the host.",
      ],
      seeIt: [`\`ls -ln /\` inside shows 0, not 65534${paths.length > 0 ? `; \`grep idmapped /proc/PID/mountinfo\` on the host lists ${paths.join(', ')}` : ''}`, '`grep idmapped /proc/self/mountinfo` on the host shows nothing of it'],
    };
  },
  persist,
  'oom-score-adj': (s) => ({
    title: `Set its OOM score adjustment to ${fieldsOf(s, 'oom-score-adj')[0]?.[0] ?? ''}`,
    lines: ["The launcher writes the value to the waiting child's /proc/PID/oom_score_adj: when memory runs out, the kernel's OOM killer picks processes with a higher score first (-1000: never, 1000: first). Its children inherit it."],
    seeIt: ['`cat /proc/self/oom_score_adj` inside'],
  }),
  'hook-afterSpawn': (s) => hooks(s, 'After the process exists (its PID is known)', false),
  'hook-point': hookPoint,
  network,
  release: simple(
    'Let the child go on',
    ['The launcher writes one byte on the pipe the child waits on. From here on the child sets itself up, in its new namespaces, still with the launcher\'s full privileges until it drops them below.'],
    ['`haco start --trace FILE -- true` shows `write(sync_pipe, "x", 1)` between the two halves'],
  ),
  'mapped-root': simple(
    'Become root of the new user namespace',
    ["Right after the clone the child still has the host's ids, which the new uid map does not cover: files it made would fail with EOVERFLOW. It switches to the mapped root first; the final identity comes later."],
    ['`cat /proc/self/uid_map` inside'],
  ),
  cgroupns: (s) => ({
    title: 'Create the cgroup namespace',
    lines: [`cgroup (CLONE_NEWCGROUP): ${NAMESPACE_FACTS.cgroup.isolates}. Created now, after the child has joined its cgroup, so that group is the root it sees.`],
    seeIt: [NAMESPACE_FACTS.cgroup.seeIsolated.replaceAll('NAME', s.c.name)],
  }),
  rootfs,
  mounts,
  lxcfs,
  'device-nodes': (s) => ({
    title: 'Make the device nodes the config lists',
    lines: [
      ...fieldsOf(s, 'mknod').map(([p, type, major, minor, mode, uid, gid]) => `${p}: a ${type === 'p' ? 'FIFO' : `${type === 'c' ? 'character' : 'block'} device ${major}:${minor}`}, mode ${mode}, owned by ${uid}:${gid} (mknod, then chmod and chown).`),
      'A node alone grants nothing: opening a device still needs its number in the device cgroup, which allows these nodes only to be made (an `m` rule).',
    ],
    seeIt: ['`ls -l` of the path inside'],
  }),
  hostname,
  loopback: simple('Bring up the loopback interface', ['`lo` of the new net namespace starts down; the launcher brings it up so 127.0.0.1 works inside.'], ['`ip addr show lo` inside']),
  masks,
  'pivot-root': pivotRoot,
  chroot,
  'readonly-root': simple(
    'Make / read-only',
    ['The root is remounted read-only: programs can read everything but change nothing (mount a tmpfs where they must write).'],
    ['`touch /x` inside fails with "Read-only file system"'],
  ),
  'stdio-container': (s) => stdio(s, 'container'),
  rlimits,
  setsid: simple('Start a new session', ['The command leads its own session, with no controlling terminal unless a pty follows, like a daemon.'], ['`ps -o sid,pid,tty,cmd` inside']),
  terminal: simple(
    'Give the container a terminal of its own',
    ["A pty from the container's own devpts becomes its controlling terminal and its stdin, stdout and stderr; the launcher relays your terminal to it and restores your terminal settings when it exits."],
    ['`tty` inside prints /dev/pts/0'],
  ),
  'no-new-privs': simple(
    'Forbid gaining privileges (no_new_privs)',
    ['From now on, setuid binaries (su, sudo, ping on old systems) and file capabilities no longer raise privileges. It cannot be undone.'],
    ['`grep NoNewPrivs /proc/self/status` inside prints 1'],
  ),
  user,
  capabilities,
  seccomp,
  environment,
  'hook-beforeExec': (s) => hooks(s, 'Inside the container, just before the command', true),
  reaper: simple(
    'Keep a tiny reaper as PID 1',
    ['The launcher forks once more: the command runs as its child, and the reaper stays PID 1, forwarding signals to the command and collecting orphaned zombies.'],
    ['`ps -o pid,cmd` inside shows haco-launch as PID 1 and the command as PID 2'],
  ),
  'seccomp-load': simple(
    'Turn the seccomp filter on',
    ['The last step before the command: from now on every system call passes the filter, the command\'s and its children\'s (a filter is inherited and cannot be removed).'],
    ['`grep Seccomp /proc/self/status` inside prints 2'],
  ),
  apparmor: (s) => ({
    title: `Confine the command with the AppArmor profile ${fieldsOf(s, 'apparmor-exec')[0]?.[0] ?? ''}`,
    lines: [
      'The launcher asks AppArmor to switch profile at the next exec: the command starts confined, the launcher\'s own last steps are not. A denied access fails with EACCES and shows up in the kernel log as `apparmor="DENIED"`.',
    ],
    seeIt: ['`cat /proc/self/attr/current` inside prints the profile and `(enforce)`', '`echo b > /proc/sysrq-trigger` inside: Permission denied'],
  }),
  exec,
  after,
};

/** Where a section stands in the learner's picture of a launch. */
export function sectionPhase(id: SectionId, specPhase: string): 'host' | 'clone' | 'inside' | 'exec' | 'after' {
  if (id === 'after') return 'after';
  if (id === 'exec' || id === 'hook-beforeExec' || id === 'apparmor' || id === 'reaper' || id === 'seccomp-load') return 'exec';
  if (id === 'clone' || specPhase === 'wire') return 'clone';
  return specPhase === 'enter' ? 'inside' : 'host';
}
