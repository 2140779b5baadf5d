import { DEFAULT_CAPABILITIES } from './defaults';
import { allowsAllDevices, DEFAULT_DEVICE_RULES, deviceRuleLabel, deviceRuleText } from './devices';
import { allowedSyscallCount } from './seccomp-default';
import { formatSize } from './size';
import { NAMESPACE_KINDS, type ContainerPlan, type MountEntry, type Plan } from './types';

/**
 * The plan as a person reads it: one block per container, one line per concern, saying what is
 * isolated and what stays shared with the host. `haco plan --json` gives the exact plan instead.
 */
export function summarizePlan(plan: Plan, style: SummaryStyle, host: SummaryHost = {}): string {
  return plan.containers.map((c) => summarizeContainer(c, style, host)).join('\n\n') + '\n';
}

type SummaryStyle = { bold: (s: string) => string; dim: (s: string) => string };

/** What the caller knows of the host the plan is shown on (the plan itself is host-independent). */
export interface SummaryHost {
  /** The kernel has AppArmor enabled; absent: not known (the row then says what depends on it). */
  apparmor?: boolean;
}

function summarizeContainer(c: ContainerPlan, style: SummaryStyle, host: SummaryHost): string {
  const rows: Array<[string, string]> = [];
  const none = style.dim('—');
  const fromImage = c.bootstrap.strategy === 'image' ? (c.bootstrap.pinned?.fromImage ?? []) : [];
  const note = (...paths: string[]) => (paths.some((p) => fromImage.includes(p)) ? style.dim(' (from image)') : '');
  rows.push(['command', c.process.args.map(quote).join(' ') + note('process.args')]);
  rows.push(['user', `${c.process.user.uid}:${c.process.user.gid}${c.process.user.groups.length ? ` +${c.process.user.groups.join(',')}` : ''}${note('process.user')}, cwd ${c.process.cwd}${note('process.cwd')}`]);
  const imageEnv = fromImage.filter((p) => p.startsWith('process.env.')).map((p) => p.slice('process.env.'.length));
  if (imageEnv.length) rows.push(['env', `${imageEnv.map((k) => `${k}=${c.process.env[k] ?? ''}`).map(quote).join(' ')}${style.dim(' (from image)')}`]);
  if (c.bootstrap.strategy === 'image' && c.bootstrap.pinned?.exposedPorts.length) rows.push(['ports', `${c.bootstrap.pinned.exposedPorts.join(' ')}${style.dim(' (exposed by the image; nothing is published)')}`]);
  if (c.namespaces.unshare.includes('uts')) rows.push(['hostname', c.process.hostname]);
  const overlay = c.rootfs.overlay ? `, overlay lower=${c.rootfs.overlay.lower.join(':')} upper=${c.rootfs.overlay.upper}` : '';
  rows.push(['rootfs', `${c.rootfs.path} (${c.rootfs.switchRoot}, ${c.rootfs.readonly ? 'read-only' : 'writable'}${overlay})`]);
  rows.push(['bootstrap', describeBootstrap(c)]);
  const shared = NAMESPACE_KINDS.filter((k) => !c.namespaces.unshare.includes(k) && !c.namespaces.enter.some((e) => e.kind === k));
  rows.push(['namespaces', `new: ${c.namespaces.unshare.join(' ') || 'none'}; shared with host: ${shared.join(' ') || 'none'}`]);
  for (const e of c.namespaces.enter) rows.push(['', `joins ${e.kind} ${e.path}`]);
  for (const m of c.namespaces.uidMap) rows.push(['uid map', `${m.inside} → host ${m.outside} (×${m.count})`]);
  rows.push(['mounts', c.mounts.map(describeMount).join(', ') || none]);
  rows.push(['cgroup', describeCgroup(c) || none]);
  rows.push(['capabilities', describeCaps(c)]);
  rows.push(['devices', describeDevices(c)]);
  rows.push(['rlimits', c.rlimits.map((r) => `${r.resource.toLowerCase()} ${r.soft}/${r.hard}`).join(', ') || none]);
  rows.push(['seccomp', describeSeccomp(c)]);
  rows.push(['apparmor', describeAppArmor(c, host)]);
  if (c.network) rows.push(['network', `${c.network.vethGuest} ${c.network.address} ↔ ${c.network.vethHost} on bridge ${c.network.bridge} (${c.network.bridgeAddress}), gateway ${c.network.gateway ?? '—'}${c.network.address6 ? `; IPv6 ${c.network.address6} (bridge ${c.network.bridgeAddress6 ?? '—'}), gateway ${c.network.gateway6 ?? '—'}` : ''}`]);
  if (c.lxcfs) rows.push(['lxcfs', `${c.lxcfs.files.join(' ')} from ${c.lxcfs.mountpoint}`]);
  rows.push(['hooks', c.hooks.map((h) => `${h.point}: ${h.command.join(' ')}`).join('; ') || none]);
  if (c.provision.steps.length) rows.push(['provision', c.provision.steps.map((s) => s.name).join(', ')]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const title = `${style.bold(c.name)}${c.extends ? style.dim(` (extends ${c.extends})`) : ''}`;
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

function describeBootstrap(c: ContainerPlan): string {
  const b = c.bootstrap;
  const post = b.post.length ? ` + post: ${b.post.map((p) => p.name).join(', ')}` : '';
  switch (b.strategy) {
    case 'host': return `host (binds ${b.binds.join(' ')} read-only)${post}`;
    case 'busybox': return `busybox from ${b.busybox}${post}`;
    case 'debootstrap': return `debootstrap ${b.suite} (${b.variant}${b.mirror ? `, ${b.mirror}` : ', host mirror'})${post}`;
    case 'lxc': return `lxc-create -t ${b.template}${b.args.length ? ` -- ${b.args.join(' ')}` : ''}${post}`;
    case 'tarball': return `tarball ${b.archive}${post}`;
    case 'directory': return `directory ${b.source ?? '(existing tree)'}${post}`;
    case 'shell': return `shell script${post}`;
    case 'image': return `image ${b.image}${b.pinned ? ` @ ${b.pinned.digest}` : ' (not pulled yet: `haco create` pins it, then its config fills what the definition leaves)'}${post}`;
    case 'none': return `none (the rootfs must exist)${post}`;
  }
}

function describeMount(m: MountEntry): string {
  switch (m.type) {
    case 'standard': return `${m.fs} ${m.target}`;
    case 'bind': return `bind ${m.source} → ${m.target}${m.readonly ? ' (ro)' : ''}`;
    case 'tmpfs': return `tmpfs ${m.target}${m.size !== undefined ? ` ${formatSize(m.size)}` : ''}`;
    case 'fs': return `${m.fstype} ${m.source} → ${m.target}`;
    case 'hostFile': return `host ${m.source}`;
  }
}

function describeCgroup(c: ContainerPlan): string {
  const r = c.cgroup.resources;
  const parts: string[] = [];
  if (r.cpu?.quotaUs !== undefined) {
    parts.push(r.cpu.quotaUs === 'max' ? 'cpu unlimited' : `cpu ${Math.round((r.cpu.quotaUs / (r.cpu.periodUs ?? 100000)) * 1000) / 10}% of one CPU`);
  }
  if (r.cpu?.weight !== undefined) parts.push(`cpu weight ${r.cpu.weight}`);
  if (r.cpuset?.cpus) parts.push(`cpus ${r.cpuset.cpus}`);
  if (r.memory?.max !== undefined) parts.push(`memory max ${r.memory.max === 'max' ? 'unlimited' : formatSize(r.memory.max)}`);
  if (r.memory?.swapMax !== undefined) parts.push(`swap ${r.memory.swapMax === 'max' ? 'unlimited' : formatSize(r.memory.swapMax)}`);
  if (r.pids) parts.push(`pids ${r.pids.max}`);
  if (r.io?.weight !== undefined) parts.push(`io weight ${r.io.weight}`);
  for (const t of r.io?.throttle ?? []) parts.push(`io ${t.device} throttled`);
  for (const [v, raw] of Object.entries(c.cgroup.raw)) for (const [k, val] of Object.entries(raw)) parts.push(`${v} ${k}=${val}`);
  return parts.join(', ');
}

/** The allow-list as a difference from the default, like the capabilities. */
function describeDevices(c: ContainerPlan): string {
  if (allowsAllDevices(c.devices)) return "every host device (.devices('host'): no device cgroup, unsafe)";
  const key = (r: (typeof c.devices)[number]) => deviceRuleText(r);
  const mine = new Set(c.devices.filter((r) => r.path === undefined).map(key));
  const missing = DEFAULT_DEVICE_RULES.filter((r) => !mine.has(key(r)));
  const extra = c.devices.filter((r) => r.path !== undefined || !DEFAULT_DEVICE_RULES.some((d) => key(d) === key(r)));
  const base = missing.length === DEFAULT_DEVICE_RULES.length ? 'none' : `default${missing.map((r) => ` − ${deviceRuleLabel(r)}`).join('')}`;
  return `${base}${extra.map((r) => ` + ${deviceRuleLabel(r)} (${deviceRuleText(r)})`).join('')}; others refused (device cgroup)`;
}

function describeCaps(c: ContainerPlan): string {
  const set = c.capabilities.bounding;
  const missing = DEFAULT_CAPABILITIES.filter((x) => !set.includes(x));
  const extra = set.filter((x) => !DEFAULT_CAPABILITIES.includes(x));
  const base = `default${missing.length ? ` − ${missing.join(' − ')}` : ''}${extra.length ? ` + ${extra.join(' + ')}` : ''}`;
  const text = extra.length > missing.length + 10 ? `${set.length} capabilities` : base;
  return c.capabilities.ambient.length ? `${text}; ambient ${c.capabilities.ambient.join(' ')}` : text;
}

function describeSeccomp(c: ContainerPlan): string {
  const s = c.seccomp;
  if (!s) return "none (.seccomp(false)): every system call reaches the kernel";
  const action = (a: { action: string; errno?: number }) => (a.action === 'errno' ? `errno ${a.errno ?? 1}${a.errno === 1 || a.errno === undefined ? ' (EPERM)' : ''}` : a.action);
  const rule = (r: (typeof s.rules)[number]) => `${r.syscalls.join('/')}→${action(r)}`;
  if (s.profile === 'default') {
    // The profile's own rules are the allow list; the definition's (never optional) are listed by name.
    const own = s.rules.filter((r) => !r.optional);
    return `haco default profile (${allowedSyscallCount(s)} syscalls allowed, ${action(s)} otherwise)${own.length ? ` + ${own.map(rule).join(', ')}` : ''}`;
  }
  return `own filter: default ${action(s)}, ${s.rules.length} rule(s): ${s.rules.map(rule).join(', ')}`;
}

/** One row, honest about this host: a profile that is not applied here says so (no warning on every start). */
function describeAppArmor(c: ContainerPlan, host: SummaryHost): string {
  const a = c.apparmor;
  if (!a) return 'unconfined';
  if (host.apparmor === false) {
    return a.builtin === 'default'
      ? `${a.profile}, not applied: this kernel has no AppArmor`
      : `${a.profile}: this kernel has no AppArmor, so a start fails (E_APPARMOR_UNAVAILABLE)`;
  }
  const what = a.builtin === 'default' ? "haco's default profile" : 'loaded on the host';
  return host.apparmor === true ? `${a.profile} (${what})` : `${a.profile} (${what}; applied where the kernel has AppArmor)`;
}
