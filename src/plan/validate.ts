import * as posix from 'node:path/posix';
import { IMAGE_REFERENCE_HINT, parseImageReference } from './image-reference';
import { parseCidr } from './cidr';
import { validateNetworkPlan, validatePlanNetworks } from './network-validate';
import { lxcfsProblems } from './lxcfs';
import { isContainerName, RLIMIT_NAMES } from './names';
import { preserveFdsProblem } from './preserve-fds';
import { closest } from './suggest';
import {
  CGROUP_RAW_PREFIXES,
  HOOK_POINTS,
  NAMESPACE_KINDS,
  STANDARD_FS,
  type ContainerPlan,
  type MountEntry,
  type NamespaceKind,
  type Plan,
  type StdioTarget,
} from './types';

/** One semantic problem in a plan, addressed by its field path (`containers[0].mounts[2].target`). */
export interface PlanIssue {
  /** Index into plan.containers, or undefined for file-level problems. */
  container: number | undefined;
  /** Path inside the container plan, e.g. `namespaces.unshare`. */
  path: string;
  message: string;
  hint?: string;
}

const IFNAME_MAX = 15;
/** The largest id: uid_t is 32 bits and (uid_t)-1 means "no change" to the kernel. */
const ID_MAX = 2 ** 32 - 2;
/** HOST_NAME_MAX. */
const HOSTNAME_MAX = 64;

/**
 * The semantic checks below assume a plan that passed the schema (types and ranges); buildPlan and the
 * plan cache run validatePlanSchema first and stop there when it fails.
 */

/**
 * The checks JSON Schema cannot express. Everything a later step would trip over is caught here, before
 * anything touches the host, with the field that is wrong and what to write instead.
 */
export function validatePlan(plan: Plan): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const seen = new Map<string, number>();
  plan.containers.forEach((container, index) => {
    const first = seen.get(container.name);
    if (first !== undefined) {
      issues.push({
        container: index,
        path: 'name',
        message: `duplicate container name "${container.name}" (also container #${first + 1})`,
        hint: 'give each container its own name, e.g. base.extend("web-2")',
      });
    } else seen.set(container.name, index);
    for (const issue of validateContainer(container)) issues.push({ ...issue, container: index });
  });
  const rootfsOwners = new Map<string, string>();
  for (const [index, c] of plan.containers.entries()) {
    const owner = rootfsOwners.get(c.rootfs.path);
    if (owner !== undefined && owner !== c.name && !c.rootfs.overlay) {
      issues.push({
        container: index,
        path: 'rootfs',
        message: `rootfs ${c.rootfs.path} is also the rootfs of "${owner}"`,
        hint: 'share a base through overlay layers instead: .rootfs(path, { lower: base })',
      });
    }
    rootfsOwners.set(c.rootfs.path, c.name);
  }
  // Overlay containers share lower layers, never their own upper/work dirs (one would see the other's writes).
  const layerOwners = new Map<string, string>();
  for (const [index, c] of plan.containers.entries()) {
    const overlay = c.rootfs.overlay;
    if (!overlay) continue;
    for (const [field, dir] of [['upper', overlay.upper], ['work', overlay.work]] as const) {
      const owner = layerOwners.get(dir);
      if (owner !== undefined && owner !== c.name) {
        issues.push({
          container: index,
          path: `rootfs.overlay.${field}`,
          message: `overlay ${field} dir ${dir} is also used by "${owner}"`,
          hint: 'give each overlay container its own rootfs path (its upper and work dirs sit beside it)',
        });
      }
      layerOwners.set(dir, c.name);
    }
  }
  // Network: addresses, bridges and veth names shared between the containers of the file.
  issues.push(...validatePlanNetworks(plan));
  return issues;
}

export function validateContainer(c: ContainerPlan): Omit<PlanIssue, 'container'>[] {
  const issues: Omit<PlanIssue, 'container'>[] = [];
  const add = (path: string, message: string, hint?: string) =>
    issues.push(hint === undefined ? { path, message } : { path, message, hint });

  if (!isContainerName(c.name)) {
    add(
      'name',
      `container name "${c.name}" cannot be used as a path and a cgroup name`,
      'use letters, digits, "-", "_" and "." (at most 63, starting with a letter or digit)',
    );
  }

  // Strings reach C as NUL-terminated: a NUL would silently cut a path or an argument short.
  for (const path of stringsWithNul(c)) add(path, `${path} contains a NUL byte`, 'remove the \\0 from the string');
  if (c.process.preserveFds !== undefined) {
    const problem = preserveFdsProblem(c.process.preserveFds);
    if (problem) add('process.preserveFds', problem, 'for socket activation, pass the sockets on fds 3, 4, … and preserve that many');
  }

  // Namespaces
  const kindProblem = (path: string, kind: string) => {
    if ((NAMESPACE_KINDS as readonly string[]).includes(kind)) return false;
    const guess = closest(kind, NAMESPACE_KINDS);
    add(path, `unknown namespace "${kind}"`, guess ? `did you mean "${guess}"? (namespaces: ${NAMESPACE_KINDS.join(', ')})` : `namespaces: ${NAMESPACE_KINDS.join(', ')}`);
    return true;
  };
  for (const kind of c.namespaces.unshare) kindProblem('namespaces.unshare', kind);
  for (const ref of c.namespaces.enter) {
    if (kindProblem('namespaces.enter', ref.kind)) continue;
    if (ref.kind === 'mount') {
      // .share('mount') is refused below (the root switch needs the container's own mount namespace), so the
      // generic "share it to keep only the enter" hint would lead in a circle.
      add('namespaces.enter', `cannot enter the mount namespace ${ref.path}: the container switches into its rootfs in a mount namespace of its own`, "remove .enter('mount', …); use .bind() to bring host paths into the container");
    } else if (c.namespaces.unshare.includes(ref.kind)) {
      add('namespaces.enter', `the ${ref.kind} namespace is both unshared and entered (${ref.path})`, `remove one: .share('${ref.kind}') keeps only the enter`);
    }
    if (!ref.path.startsWith('/')) add('namespaces.enter', `namespace path "${ref.path}" is not absolute`, 'write e.g. /proc/1234/ns/net or /var/run/netns/NAME');
  }
  for (const ref of c.namespaces.persist) {
    if (!ref.path.startsWith('/')) add('namespaces.persist', `namespace file "${ref.path}" is not an absolute host path`, 'write e.g. /var/run/netns/NAME');
    if (kindProblem('namespaces.persist', ref.kind)) continue;
    if (!c.namespaces.unshare.includes(ref.kind)) {
      add('namespaces.persist', `cannot persist the ${ref.kind} namespace: it is not unshared`, `add .unshare('${ref.kind}')`);
    }
  }
  const has = (kind: NamespaceKind) => c.namespaces.unshare.includes(kind);
  if (!has('user') && (c.namespaces.uidMap.length > 0 || c.namespaces.gidMap.length > 0)) {
    add('namespaces.uidMap', 'uid/gid maps need the user namespace', "add .unshare('user') or use .mapRootTo(hostUid), which does both");
  }
  if (has('user') && c.namespaces.uidMap.length === 0) {
    add('namespaces.unshare', 'the user namespace is unshared but has no uid map: the init would run as "nobody" with no privileges', 'add .mapRootTo(100000) or .uidMap({ inside: 0, outside: 100000, count: 65536 })');
  }
  for (const [field, map] of [['uidMap', c.namespaces.uidMap], ['gidMap', c.namespaces.gidMap]] as const) {
    const sorted = [...map].sort((a, b) => a.inside - b.inside);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.inside < sorted[i - 1]!.inside + sorted[i - 1]!.count) add(`namespaces.${field}`, `${field} ranges overlap inside the namespace`);
    }
    if (map.length > 340) add(`namespaces.${field}`, `${field} has more than 340 lines (the kernel's limit)`);
    for (const e of map) {
      for (const side of ['inside', 'outside'] as const) {
        if (e[side] + e.count - 1 > ID_MAX) add(`namespaces.${field}`, `${field} line ${e.inside} ${e.outside} ${e.count}: ${side} ids ${e[side]}…${e[side] + e.count - 1} go past the largest id ${ID_MAX}`, `lower the count to at most ${ID_MAX - e[side] + 1}`);
      }
    }
  }
  const timeShifted = c.namespaces.timeOffsets.monotonic !== 0 || c.namespaces.timeOffsets.boottime !== 0;
  if (timeShifted && !has('time')) add('namespaces.timeOffsets', 'clock offsets need the time namespace', "add .unshare('time')");

  // Rootfs and mounts
  if (!c.rootfs.path.startsWith('/')) add('rootfs', `rootfs path "${c.rootfs.path}" is not absolute`, 'write an absolute host path such as /var/lib/haco/NAME/rootfs');
  if (!has('mount')) {
    add('namespaces.unshare', 'the container needs its own mount namespace to switch into its rootfs', "keep 'mount' unshared (remove .share('mount'))");
  }
  if (Buffer.byteLength(c.process.hostname) > HOSTNAME_MAX) add('process.hostname', `hostname "${c.process.hostname}" is longer than ${HOSTNAME_MAX} bytes`, 'sethostname(2) refuses it: choose a shorter name');
  if (c.process.hostname !== c.name && !has('uts')) {
    add('process.hostname', `hostname "${c.process.hostname}" needs the uts namespace (without it the host's hostname would change)`, "add .unshare('uts') or remove .hostname()");
  }
  for (const [field, list] of [['rootfs.maskedPaths', c.rootfs.maskedPaths], ['rootfs.readonlyPaths', c.rootfs.readonlyPaths]] as const) {
    for (const p of list) checkInside(field, p, add);
  }
  c.mounts.forEach((m, i) => checkMount(m, `mounts[${i}]`, add));
  const targets = new Map<string, number>();
  c.mounts.forEach((m, i) => {
    const t = posix.normalize(m.target);
    const previous = targets.get(t);
    if (previous !== undefined && !(m.type === 'standard' && c.mounts[previous]?.type === 'standard')) {
      add(`mounts[${i}]`, `${t} is mounted twice (also mounts[${previous}]); the later mount hides the earlier`, 'remove one of them');
    }
    targets.set(t, i);
  });
  checkInside('process.cwd', c.process.cwd, add);
  for (const [stream, target] of Object.entries(c.process.stdio) as [string, StdioTarget][]) {
    if (target.side === 'container') checkInside(`process.stdio.${stream}`, target.path, add);
    else if (!target.path.startsWith('/')) add(`process.stdio.${stream}`, `${stream} file "${target.path}" is not an absolute host path`, 'write an absolute path (the launcher opens it before switching to the container)');
  }
  for (const lower of c.rootfs.overlay?.lower ?? []) {
    if (!lower.startsWith('/')) add('rootfs', `overlay lower layer "${lower}" is not an absolute host path`, 'write an absolute path or pass the container whose rootfs is meant');
  }
  if (c.rootfs.overlay) checkOverlayOptions(c.rootfs.overlay, add);
  if (c.bootstrap.strategy === 'host') {
    for (const bind of c.bootstrap.binds) checkInside('bootstrap', bind, add);
  }
  if (c.bootstrap.strategy === 'image' && !parseImageReference(c.bootstrap.image, '/')) {
    add('bootstrap', `"${c.bootstrap.image}" is not an image reference haco reads`, IMAGE_REFERENCE_HINT);
  }

  // Process
  if (c.process.args.length === 0 || c.process.args[0] === '') add('process.args', 'the command is empty', "write .command(['/bin/sh'])");
  for (const key of Object.keys(c.process.env)) {
    if (key === '' || key.includes('=')) add('process.env', `environment variable name "${key}" is invalid`, 'names cannot be empty or contain "="');
  }

  // Resources
  const cpu = c.cgroup.resources.cpu;
  if (cpu) {
    if (typeof cpu.quotaUs === 'number' && cpu.quotaUs < 1000) add('cgroup.resources.cpu', `cpu quota ${cpu.quotaUs}µs is below the kernel's minimum of 1000µs`, 'raise the percentage or the period');
    if (cpu.periodUs !== undefined && (cpu.periodUs < 1000 || cpu.periodUs > 1000000)) add('cgroup.resources.cpu', `cpu period ${cpu.periodUs}µs is outside 1000–1000000`);
    if (cpu.weight !== undefined && (cpu.weight < 1 || cpu.weight > 10000)) add('cgroup.resources.cpu', `cpu weight ${cpu.weight} is outside 1–10000`);
  }
  const pids = c.cgroup.resources.pids;
  if (pids && pids.max !== 'max' && (!Number.isInteger(pids.max) || pids.max < 1)) add('cgroup.resources.pids', `pids max ${pids.max} must be a positive whole number`, 'at least 1 (the init itself), or "max"');
  const io = c.cgroup.resources.io;
  if (io?.weight !== undefined && (io.weight < 1 || io.weight > 10000)) add('cgroup.resources.io', `io weight ${io.weight} is outside 1–10000`);
  for (const t of io?.throttle ?? []) {
    if (!/^\d+:\d+$/.test(t.device)) add('cgroup.resources.io', `device "${t.device}" is not MAJOR:MINOR`, 'find it with `lsblk -o NAME,MAJ:MIN`');
  }
  for (const version of ['v1', 'v2'] as const) {
    for (const file of Object.keys(c.cgroup.raw[version])) {
      const problem = rawCgroupFileProblem(file);
      if (problem) add(`cgroup.raw.${version}`, `cgroupRaw file "${file}" ${problem}`, `write a file name of the container's own cgroup, e.g. memory.high (controllers: ${CGROUP_RAW_PREFIXES.join(', ')})`);
    }
  }
  for (const r of c.rlimits) {
    if (!(RLIMIT_NAMES as readonly string[]).includes(r.resource)) {
      const guess = closest(r.resource, RLIMIT_NAMES);
      add('rlimits', `unknown rlimit "${r.resource.toLowerCase()}"`, guess ? `did you mean "${guess.toLowerCase()}"?` : `known: ${RLIMIT_NAMES.join(', ').toLowerCase()}`);
    } else if (r.soft !== 'unlimited' && (r.hard === 'unlimited' ? false : r.soft > r.hard)) {
      add('rlimits', `rlimit ${r.resource.toLowerCase()}: soft ${r.soft} is above hard ${String(r.hard)}`, 'the soft limit must not exceed the hard limit');
    }
  }

  // Network
  if (c.network) {
    if (!has('net')) add('network', 'a bridged network needs its own net namespace', "add .unshare('net')");
    for (const [field, value] of [['bridge', c.network.bridge], ['vethHost', c.network.vethHost], ['vethGuest', c.network.vethGuest]] as const) {
      if (value.length === 0 || value.length > IFNAME_MAX || /[\s/:]/.test(value)) {
        add('network', `interface name ${field} "${value}" is not valid (1–15 characters, no spaces, "/" or ":")`, 'choose a shorter name');
      }
    }
    for (const [field, value] of [['bridgeAddress', c.network.bridgeAddress], ['address', c.network.address]] as const) {
      if (!parseCidr(value)) add('network', `${field} "${value}" is not an IPv4 CIDR (four decimal octets 0–255 without leading zeros, a prefix 0–32)`, 'write e.g. 10.88.0.10/24');
    }
    // Subnets: container and bridge in one subnet, no reserved addresses, a reachable gateway.
    for (const issue of validateNetworkPlan(c.network)) add(issue.path, issue.message, issue.hint);
  }
  for (const [message, hint] of lxcfsProblems(c)) add('lxcfs', message, hint);
  // An id-mapped rootfs takes its map from the container's own user namespace.
  if (c.rootfs.owner === 'idmap' && (!has('user') || c.namespaces.uidMap.length === 0 || c.namespaces.gidMap.length === 0)) {
    add('rootfs.owner', "an id-mapped rootfs ('idmap') needs the container's own user namespace with uid and gid maps", 'add .mapRootTo(HOSTID) (or .uidMap()/.gidMap() with .unshare(\'user\')), or drop .rootfsOwner()');
  }
  // User-mode networking (src/network/usermode.ts): a helper wires the container's own net namespace.
  const um = c.usermodeNetwork;
  if (um) {
    if (!has('net')) add('usermodeNetwork', `${um.tool} needs the container's own net namespace`, "add .unshare('net') (or drop .share('net') / .joinNetns())");
    if (c.network) add('usermodeNetwork', `${um.tool} and a bridged network cannot both wire one namespace`, "keep one .network() call: mode 'bridge' or mode '" + um.tool + "'");
    if (um.tool === 'slirp4netns' && um.ports && um.ports.length > 0) {
      add('usermodeNetwork.ports', 'slirp4netns forwards ports only through its API socket, which haco does not drive yet', "use .network({ mode: 'pasta', ports: [...] }) for forwarded ports");
    }
    const seen = new Set<string>();
    for (const p of um.ports ?? []) {
      const key = `${p.protocol}/${p.host}`;
      if (seen.has(key)) add('usermodeNetwork.ports', `host port ${p.host}/${p.protocol} is forwarded twice`, 'forward each host port once');
      seen.add(key);
    }
  }
  // Hooks and provisioning
  for (const hook of c.hooks) {
    if (!(HOOK_POINTS as readonly string[]).includes(hook.point)) {
      const guess = closest(hook.point, HOOK_POINTS);
      add('hooks', `unknown hook point "${hook.point}"`, guess ? `did you mean "${guess}"?` : `points: ${HOOK_POINTS.join(', ')}`);
    }
  }
  const sup = c.supervision;
  if (sup?.readiness) {
    const r = sup.readiness;
    if (r.kind === 'port' && r.port === undefined) add('supervision.readiness', 'a port readiness probe names no port', 'write .readiness({ port: 8080 })');
    if (r.kind === 'command' && !r.command?.length) add('supervision.readiness', 'a command readiness probe names no command', "write .readiness({ command: 'curl -sf http://10.88.0.10/' })");
    if (r.timeoutMs < r.intervalMs) add('supervision.readiness', `the readiness timeout (${r.timeoutMs} ms) is shorter than one probe interval (${r.intervalMs} ms)`, 'give a timeoutMs of at least intervalMs');
  }
  sup?.events.forEach((e, i) => {
    if (e.event === 'oom' && e.level !== undefined) add(`supervision.events[${i}]`, 'an oom event has no pressure level', 'drop level, or use .onMemoryPressure(level, command)');
  });
  const signals = new Set<string>();
  sup?.signals.forEach((h, i) => {
    if (signals.has(h.signal)) add(`supervision.signals[${i}]`, `two handlers for SIG${h.signal}`, 'keep one .onSignal() per signal');
    signals.add(h.signal);
  });
  const stepNames = new Set<string>();
  for (const step of c.provision.steps) {
    if (stepNames.has(step.name)) add('provision', `duplicate provision step "${step.name}"`, 'step names identify steps for re-runs: make them unique');
    stepNames.add(step.name);
  }
  for (const f of c.provision.files) checkInside('provision', f.target, add);
  // Devices: what the v1 devices.allow and the launcher's BPF program can express.
  c.devices.forEach((r, i) => {
    const at = `devices[${i}]`;
    if (r.type === 'a' && (r.major !== '*' || r.minor !== '*')) add(at, `device rule "${r.type} ${r.major}:${r.minor}" names numbers for type a (any device)`, 'use c or b with numbers, or a *:*');
    for (const n of [r.major, r.minor]) {
      if (n !== '*' && !(Number.isInteger(n) && n >= 0 && n <= 0xfffff)) add(at, `device number ${n} is not an integer between 0 and 1048575`);
    }
    if (r.path !== undefined && (!r.path.startsWith('/dev/') || r.path.split('/').includes('..'))) add(at, `device path "${r.path}" is not under /dev`, 'the launcher binds the host\'s /dev/NAME at the same path in the container');
  });
  // Device nodes (OCI linux.devices): a file of its own in the container, never the root or a directory haco mounts.
  const nodePaths = new Set<string>();
  (c.deviceNodes ?? []).forEach((n, i) => {
    const at = `deviceNodes[${i}].path`;
    checkInside(at, n.path, add);
    const normal = posix.normalize(n.path);
    if (['/', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/proc', '/sys'].includes(normal) || /^\/(proc|sys)\//.test(normal)) {
      add(at, `device node "${n.path}" would replace ${normal === '/' ? 'the root' : normal.startsWith('/dev') ? 'a directory haco mounts' : 'a file of the kernel\'s /proc or /sys'}`, 'give a file path such as /dev/NAME');
    }
    if (nodePaths.has(normal)) add(at, `two device nodes at ${normal}`, 'keep one entry per path');
    nodePaths.add(normal);
  });
  // cgroup.path: a directory under each hierarchy; "." and ".." would leave the place the pattern promises.
  if (c.cgroup.path !== undefined && c.cgroup.path.split('/').some((part) => part === '.' || part === '..')) {
    add('cgroup.path', `cgroup path "${c.cgroup.path}" has a "." or ".." component`, 'write the directory as a plain path, e.g. "/machine/app" or "app/web"');
  }
  return issues;
}

function checkMount(m: MountEntry, path: string, add: (p: string, m: string, h?: string) => void): void {
  checkInside(path, m.target, add);
  if (m.type === 'standard' && !(STANDARD_FS as readonly string[]).includes(m.fs)) {
    const guess = closest(m.fs, STANDARD_FS);
    add(path, `unknown standard mount "${m.fs}"`, guess ? `did you mean "${guess}"?` : `known: ${STANDARD_FS.join(', ')}`);
  }
  if (m.type === 'bind' && !m.source.startsWith('/')) add(path, `bind source "${m.source}" is not an absolute host path`, 'write an absolute path');
  if (m.type === 'tmpfs' && m.mode !== undefined && !/^[0-7]{3,4}$/.test(m.mode)) add(path, `tmpfs mode "${m.mode}" is not octal`, 'write e.g. "1777"');
}

/**
 * overlayfs gets its layers as one mount(2) option string, "lowerdir=A:B,upperdir=U,workdir=W": a ',' ':'
 * or '\\' in a directory name would be read as a separator or an escape, and the kernel copies at most one
 * page of it (a longer string is cut). The launcher refuses both too; here the user learns which layer.
 */
export const OVERLAY_OPTIONS_MAX = 4095;
function checkOverlayOptions(o: { lower: string[]; upper: string; work: string }, add: (path: string, message: string, hint?: string) => void): void {
  const dirs: [string, string][] = [...o.lower.map((d): [string, string] => ['lower layer', d]), ['upper dir', o.upper], ['work dir', o.work]];
  for (const [kind, dir] of dirs) {
    const bad = /[,:\\]/.exec(dir);
    if (bad) add('rootfs', `overlay ${kind} "${dir}" contains "${bad[0]}", which overlayfs mount options cannot carry`, 'use a directory path without "," ":" or "\\" (rename it, or the rootfs path the upper and work dirs sit beside)');
  }
  const bytes = Buffer.byteLength(`lowerdir=${o.lower.join(':')},upperdir=${o.upper},workdir=${o.work}`);
  if (bytes > OVERLAY_OPTIONS_MAX) {
    add('rootfs', `the overlay mount options would be ${bytes} bytes, more than the ${OVERLAY_OPTIONS_MAX} the kernel passes to overlayfs (${o.lower.length} lower layers)`, 'use fewer lower layers (merge some into one directory) or shorter paths to them');
  }
}

/** A target must be an absolute path that stays inside the rootfs once normalized. */
function checkInside(path: string, target: string, add: (p: string, m: string, h?: string) => void): void {
  if (!target.startsWith('/')) {
    add(path, `"${target}" is not an absolute path inside the container`, `write "/${target.replace(/^(\.\.?\/+)+/, '')}"`);
    return;
  }
  const parts = target.split('/');
  let depth = 0;
  for (const part of parts) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) {
      add(path, `"${target}" escapes the rootfs ("..")`, `write the path as seen inside the container, e.g. "${posix.normalize(target).replace(/^(\/\.\.)+/, '') || '/'}"`);
      return;
    }
  }
}

/** Why a cgroupRaw key is not a plain file of a resource controller, or undefined when it is. */
export function rawCgroupFileProblem(file: string): string | undefined {
  if (file.includes('/') || file.includes('\0')) return 'is a path, not a file name';
  if (file.split('.').some((part) => part === '')) return 'is not a cgroup file name';
  const prefix = file.slice(0, file.indexOf('.'));
  if (!CGROUP_RAW_PREFIXES.includes(prefix) || !/^[a-zA-Z0-9_.]+$/.test(file)) return 'is not a file of a resource controller';
  return undefined;
}

/** Paths of every string in the container's plan (keys included) that holds a NUL byte. */
function stringsWithNul(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return value.includes('\0') ? [path] : [];
  if (value === null || typeof value !== 'object') return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const childPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (key.includes('\0')) found.push(childPath);
    found.push(...stringsWithNul(child, childPath));
  }
  return found;
}
