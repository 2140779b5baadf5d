import * as fs from 'node:fs';
import * as path from 'node:path';
import { weightToShares } from '../cgroup/v1';
import { splitDeviceNumber } from '../plan/devices';
import { DEFAULT_MASKED_PATHS, DEFAULT_NAMESPACES, DEFAULT_READONLY_PATHS } from '../plan/defaults';
import { STANDARD_FS, type NamespaceKind, type StandardFs } from '../plan/types';
import { importAppArmor } from './apparmor';
import { seccompCall } from './import-seccomp';
import { HOOK_MAP, NAMESPACE_TYPES, type RuntimeConfig, type RuntimeMount } from './runtime-config';

/**
 * An OCI runtime config.json as a `.haco.ts`: the reverse of runtime-config.ts, read through the same
 * tables. The result is a starting point: what the DSL cannot say is written as a comment at the top.
 */

const STANDARD: ReadonlyArray<[string, string]> = [
  ['/proc', 'proc'],
  ['/sys', 'sysfs'],
  ['/dev', 'tmpfs'],
  ['/dev/pts', 'devpts'],
  ['/dev/shm', 'tmpfs'],
  ['/dev/mqueue', 'mqueue'],
];

const KIND_OF_TYPE = Object.fromEntries(Object.entries(NAMESPACE_TYPES).map(([kind, type]) => [type, kind])) as Record<string, NamespaceKind>;
const HOOK_OF = Object.fromEntries(Object.entries(HOOK_MAP).map(([point, to]) => [to, point])) as Record<string, string>;

const q = (v: unknown): string => JSON.stringify(v);

/** A name the DSL accepts, from the config's haco annotation or the bundle directory. */
export function importName(config: Partial<RuntimeConfig>, bundleDir: string): string {
  const fromAnnotation = config.annotations?.['dev.haco.container'];
  const raw = fromAnnotation ?? path.basename(bundleDir);
  return raw.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 63) || 'imported';
}

function rlimitArg(v: number | string): string {
  // RLIM_INFINITY (2^64-1) does not survive JSON.parse exactly: anything from 2^63 up is "unlimited".
  return typeof v === 'number' && v >= 2 ** 63 ? q('unlimited') : String(v);
}

export function configToDefinition(config: RuntimeConfig, bundleDir: string): { source: string; notes: string[] } {
  const notes: string[] = [];
  const calls: string[] = [];
  const name = importName(config, bundleDir);
  const linux: Partial<RuntimeConfig['linux']> = config.linux ?? {};
  const p = config.process;
  const rootPath = path.resolve(bundleDir, config.root?.path ?? 'rootfs');
  const propagation = linux.rootfsPropagation && linux.rootfsPropagation !== 'rprivate' ? `, { propagation: ${q(linux.rootfsPropagation)} }` : '';
  calls.push(`.rootfs(${q(rootPath)}${propagation})`);
  if (config.root?.readonly) calls.push('.readonlyRootfs()');
  if (p) {
    calls.push(`.command(${q(p.args)})`);
    const env = Object.fromEntries((p.env ?? []).map((e) => [e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('=')), e.indexOf('=') < 0 ? '' : e.slice(e.indexOf('=') + 1)]));
    calls.push(`.env(${q(env)}, { replace: true })`);
    if (p.cwd && p.cwd !== '/') calls.push(`.workdir(${q(p.cwd)})`);
    const groups = p.user?.additionalGids ?? [];
    if (p.user && (p.user.uid !== 0 || p.user.gid !== 0 || groups.length)) calls.push(`.user({ uid: ${p.user.uid}, gid: ${p.user.gid}${groups.length ? `, groups: ${q(groups)}` : ''} })`);
    if (p.capabilities) {
      const names = (list: string[] | undefined) => (list ?? []).map((c) => c.replace(/^CAP_/, '').toLowerCase());
      const ambient = names(p.capabilities.ambient);
      calls.push(`.capabilities({ base: 'none', add: ${q(names(p.capabilities.bounding))}${ambient.length ? `, ambient: ${q(ambient)}` : ''} })`);
    }
    for (const r of p.rlimits ?? []) {
      const res = r.type.replace(/^RLIMIT_/, '');
      // An unknown type is kept, so the plan refuses it with its line (as an unknown capability is): the
      // runtime-spec asks for an error on values that do not map to the kernel, not a silent drop.
      calls.push(`.rlimit(${q(res.toLowerCase())}, ${rlimitArg(r.soft)}, ${rlimitArg(r.hard)})`);
    }
    if (!p.noNewPrivileges) calls.push('.noNewPrivileges(false)');
    const apparmor = importAppArmor(p.apparmorProfile, config.annotations);
    if (apparmor) calls.push(apparmor);
    if (p.terminal) notes.push('process.terminal: haco gives a terminal with `haco start -t`, not in the definition');
  }
  if (config.hostname) calls.push(`.hostname(${q(config.hostname)})`);
  const oomScoreAdj = (config.process as { oomScoreAdj?: unknown } | undefined)?.oomScoreAdj;
  if (oomScoreAdj !== undefined) calls.push(`.oomScoreAdj(${q(oomScoreAdj)})`);
  // `haco export oci` writes /haco-oci-NAME when the definition names no place (runtime-config.ts): that
  // is haco's default, not a choice to carry back.
  if (linux.cgroupsPath && linux.cgroupsPath !== `/haco-oci-${config.annotations?.['dev.haco.container'] ?? ''}`) calls.push(`.cgroupPath(${q(linux.cgroupsPath)})`);
  notes.push(...unsupportedFields(config));

  const nsNew = new Set<NamespaceKind>();
  for (const ns of linux.namespaces ?? []) {
    const kind = KIND_OF_TYPE[ns.type];
    if (!kind) {
      notes.push(`namespace ${ns.type}: unknown to haco`);
      continue;
    }
    if (ns.path) calls.push(`.enter(${q(kind)}, ${q(ns.path)})`);
    else nsNew.add(kind);
  }
  // A namespace entered by path (podman's pod netns) is not a new one: shared, then entered.
  const share = DEFAULT_NAMESPACES.filter((k) => !nsNew.has(k));
  if (share.length) calls.push(`.share(${share.map(q).join(', ')})`);
  const extra = [...nsNew].filter((k) => !DEFAULT_NAMESPACES.includes(k));
  if (extra.length) calls.push(`.unshare(${extra.map(q).join(', ')})`);
  const map = (m: { containerID: number; hostID: number; size: number }) => `{ inside: ${m.containerID}, outside: ${m.hostID}, count: ${m.size} }`;
  if (linux.uidMappings?.length) calls.push(`.uidMap(${linux.uidMappings.map(map).join(', ')})`);
  if (linux.gidMappings?.length) calls.push(`.gidMap(${linux.gidMappings.map(map).join(', ')})`);

  // haco mounts cgroupfs itself (read-only, as runc does) whenever the container has its own cgroup namespace.
  const isCgroupfs = (m: RuntimeMount) => m.type === 'cgroup' && m.destination === '/sys/fs/cgroup';
  if ((config.mounts ?? []).some(isCgroupfs) && !(linux.namespaces ?? []).some((n) => n.type === 'cgroup' && !n.path)) {
    notes.push('mount /sys/fs/cgroup: haco mounts cgroupfs only with its own cgroup namespace (.unshare(\'cgroup\'))');
  }
  calls.push(...mountCalls((config.mounts ?? []).filter((m) => !isCgroupfs(m)), notes));
  const masked = (linux.maskedPaths ?? []).filter((x) => !DEFAULT_MASKED_PATHS.includes(x));
  if (masked.length) calls.push(`.mask(${masked.map(q).join(', ')})`);
  const ro = (linux.readonlyPaths ?? []).filter((x) => !DEFAULT_READONLY_PATHS.includes(x));
  if (ro.length) calls.push(`.readonlyPaths(${ro.map(q).join(', ')})`);
  const unmaskedDefaults = DEFAULT_MASKED_PATHS.filter((x) => !(linux.maskedPaths ?? []).includes(x));
  if (unmaskedDefaults.length) notes.push(`maskedPaths: haco also masks ${unmaskedDefaults.join(' ')} (the config did not)`);

  const r = linux.resources;
  if (r?.memory?.limit !== undefined && r.memory.limit > 0) {
    const swap = r.memory.swap !== undefined && r.memory.swap > 0 ? `, swap: ${r.memory.swap - r.memory.limit}` : '';
    calls.push(`.memory({ max: ${r.memory.limit}${swap}${r.memory.reservation ? `, low: ${r.memory.reservation}` : ''} })`);
  }
  // Two memory settings only cgroup v1 has (v2 has no such file): written there as raw files.
  if (r?.memory?.swappiness !== undefined) {
    calls.push(`.cgroupRaw('v1', 'memory.swappiness', ${q(String(r.memory.swappiness))})`);
    notes.push(`memory.swappiness ${r.memory.swappiness}: set on cgroup v1 hosts only (v2 has no such file)`);
  }
  if (r?.memory?.disableOOMKiller) {
    calls.push(`.cgroupRaw('v1', 'memory.oom_control', '1')`);
    notes.push('memory.disableOOMKiller: set on cgroup v1 hosts only (v2 has no such file)');
  }
  const cpu: string[] = [];
  if (r?.cpu?.quota !== undefined && r.cpu.quota > 0) {
    const period = r.cpu.period ?? 100000;
    cpu.push(`max: ${r.cpu.quota / period}`, ...(period !== 100000 ? [`periodUs: ${period}`] : []));
  }
  // cpu.shares is v1's relative weight (1024 ⇔ haco's weight 100); a value the weight cannot carry exactly
  // is also written as is on a v1 host.
  const shares = r?.cpu?.shares;
  if (shares !== undefined && shares > 0) {
    const weight = Math.min(10000, Math.max(1, Math.round((shares * 100) / 1024)));
    cpu.push(`weight: ${weight}`);
    if (weightToShares(weight) !== shares) calls.push(`.cgroupRaw('v1', 'cpu.shares', ${q(String(shares))})`);
  }
  if (cpu.length) calls.push(`.cpu({ ${cpu.join(', ')} })`);
  if (r?.cpu?.cpus || r?.cpu?.mems) calls.push(`.cpuset(${q({ ...(r.cpu.cpus ? { cpus: r.cpu.cpus } : {}), ...(r.cpu.mems ? { mems: r.cpu.mems } : {}) })})`);
  if (r?.pids?.limit !== undefined && r.pids.limit > 0) calls.push(`.pids(${r.pids.limit})`);
  if (r?.blockIO) notes.push('blockIO: set with .io({ weight, throttle })');
  calls.push(...linux.devices?.map(deviceCall) ?? []);
  if (linux.seccomp) {
    // Rule names are kept as written: one this host's libseccomp does not know fails the start, with its name.
    const call = seccompCall(linux.seccomp, config.annotations, notes);
    if (call) calls.push(call);
  } else calls.push('.seccomp(false)');
  for (const [to, hooks] of Object.entries(config.hooks ?? {})) {
    const point = HOOK_OF[to];
    for (const h of hooks ?? []) {
      if (!point) notes.push(`hooks.${to} ${h.path}: haco has no such point`);
      else calls.push(`.hook(${q(point)}, ${q(h.args && h.args.length ? [h.path, ...h.args.slice(1)] : [h.path])})`);
    }
  }
  const header = [
    `// Imported from ${path.join(bundleDir, 'config.json')} by \`haco import oci\`: a starting point, check it with \`haco plan\`.`,
    ...notes.map((n) => `// not imported: ${n}`),
  ];
  const source = `${header.join('\n')}\nimport { defineContainer } from 'haco';\n\nexport default defineContainer(${q(name)})\n${calls.map((c) => `  ${c}`).join('\n')};\n`;
  return { source, notes };
}

type RuntimeDevice = NonNullable<RuntimeConfig['linux']['devices']>[number];

/**
 * One `linux.devices` entry. The host's own node at that path (same type and numbers: podman's --device)
 * is bound with `.device()`, which also allows it in the device cgroup, as before; any other entry is
 * made with `.deviceNode()` (mknod with the config's mode and owner; opening it needs an allow rule).
 * A type the DSL does not know (`u` is `c` unbuffered) goes through as written, so the plan refuses it.
 */
function deviceCall(d: RuntimeDevice): string {
  const type = d.type === 'u' ? 'c' : d.type;
  try {
    const st = fs.statSync(d.path, { bigint: true });
    const hostType = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
    const { major, minor } = splitDeviceNumber(st.rdev);
    if (d.path.startsWith('/dev/') && hostType === type && major === d.major && minor === d.minor) return `.device(${q(d.path)})`;
  } catch {
    // not on the host: made below
  }
  const numbers = type === 'p' ? '' : `, major: ${d.major}, minor: ${d.minor}`;
  return `.deviceNode(${q(d.path)}, { type: ${q(type)}${numbers}, mode: 0o${(d.fileMode ?? 0o666).toString(8)}, uid: ${d.uid ?? 0}, gid: ${d.gid ?? 0} })`;
}

/** The standard mount haco makes at each destination (the plan's `standard` mounts, docs/dsl.md). */
const STANDARD_FS_AT: Readonly<Record<string, StandardFs>> = {
  '/proc': 'proc', '/sys': 'sys', '/dev': 'dev', '/dev/pts': 'devpts', '/dev/shm': 'shm', '/dev/mqueue': 'mqueue',
};

/**
 * The config's mounts in order. The runtime-spec mounts each in turn, so a later mount at the same
 * destination hides an earlier one (podman gives /dev/shm as a tmpfs and then as a bind of its own
 * shm): only the last is kept, and a standard mount (haco's /dev/shm…) goes when the config puts
 * something else there.
 */
function mountCalls(mounts: readonly RuntimeMount[], notes: string[]): string[] {
  const key = (m: RuntimeMount) => path.posix.normalize(m.destination);
  const last = new Map(mounts.map((m, i) => [key(m), i]));
  const kept = mounts.filter((m, i) => {
    if (last.get(key(m)) === i) return true;
    notes.push(`mount ${m.destination} (${m.type ?? 'bind'}): a later mount at the same place hides it`);
    return false;
  });
  const isStandard = (m: RuntimeMount) => STANDARD.some(([dest, type]) => dest === m.destination && type === m.type);
  const replaced = new Set(kept.filter((m) => !isStandard(m)).map((m) => STANDARD_FS_AT[key(m)]).filter((f) => f !== undefined));
  // haco's standard mounts in the config's order (the runtime-spec mounts in order), the ones it does not name after them.
  const named = kept.filter(isStandard).map((m) => STANDARD_FS_AT[key(m)]!);
  const standard = [...named, ...STANDARD_FS.filter((f) => !replaced.has(f) && !named.includes(f))];
  const calls = standard.join() !== STANDARD_FS.join() ? [`.standardMounts(${standard.map(q).join(', ')})`] : [];
  for (const m of kept) calls.push(...mountCall(m, notes));
  return calls;
}

function mountCall(m: RuntimeMount, notes: string[]): string[] {
  const opts = m.options ?? [];
  if (STANDARD.some(([dest, type]) => dest === m.destination && type === m.type)) return [];
  if (m.type === 'cgroup' || m.type === 'cgroup2') {
    // A bare cgroup mount is EINVAL/EBUSY on a v1 host; haco's standard sys mount puts cgroupfs under
    // /sys/fs/cgroup when the container has a cgroup namespace of its own.
    notes.push(`mount ${m.destination} (${m.type}): haco mounts cgroupfs with /sys when the container has its own cgroup namespace`);
    return [];
  }
  if (m.type === 'bind' || opts.includes('bind') || opts.includes('rbind')) {
    const o = [opts.includes('ro') ? 'readonly: true' : '', opts.includes('rbind') ? '' : 'recursive: false'].filter(Boolean);
    return [`.bind(${q(m.source)}, ${q(m.destination)}${o.length ? `, { ${o.join(', ')} }` : ''})`];
  }
  if (m.type === 'tmpfs') {
    const size = opts.find((o) => o.startsWith('size='))?.slice(5);
    const mode = opts.find((o) => o.startsWith('mode='))?.slice(5);
    const sizeArg = size === undefined ? undefined : /^\d+$/.test(size) ? size : q(size.replace(/([kmgt])$/i, (u) => u.toUpperCase()));
    const o = [sizeArg ? `size: ${sizeArg}` : '', mode ? `mode: ${q(mode)}` : ''].filter(Boolean);
    return [`.tmpfs(${q(m.destination)}${o.length ? `, { ${o.join(', ')} }` : ''})`];
  }
  if (m.type && m.source) {
    const flags = opts.filter((o) => ['ro', 'nosuid', 'nodev', 'noexec', 'noatime', 'nodiratime', 'relatime', 'strictatime', 'sync', 'dirsync'].includes(o));
    const data = opts.filter((o) => !flags.includes(o)).join(',');
    return [`.mount(${q({ fstype: m.type, source: m.source, target: m.destination, ...(data ? { data } : {}), ...(flags.length ? { flags } : {}) })})`];
  }
  notes.push(`mount ${m.destination}: no type or source`);
  return [];
}

/**
 * runtime-spec fields haco has no place for yet: named, so `haco runtime create` prints them as not
 * applied instead of dropping them silently (the conformance suite's linux_sysctl passed only because
 * this host's default matched; docs/oci-runtime.md "Conformance").
 */
function unsupportedFields(config: RuntimeConfig): string[] {
  const loose = config as unknown as { process?: Record<string, unknown>; linux?: Record<string, unknown> };
  const notes: string[] = [];
  for (const [key, value] of Object.entries((loose.linux?.['sysctl'] ?? {}) as Record<string, string>)) notes.push(`linux.sysctl ${key}=${value}: haco does not set sysctls yet`);
  for (const key of ['selinuxLabel']) if (loose.process?.[key]) notes.push(`process.${key} ${JSON.stringify(loose.process[key])}: not applied by haco runtime`);
  for (const key of ['mountLabel', 'intelRdt', 'personality']) if (loose.linux?.[key]) notes.push(`linux.${key}: not applied by haco runtime`);
  return notes;
}
