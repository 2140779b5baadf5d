import * as path from 'node:path';
import { HacoError } from '../errors';
import { LAUNCHER_BUILD_TOOLS } from '../host/launcher-build';
import { installHint } from '../host/tools';
import type { ToolEntry } from '../host/tool-manifest';
import type { HostProbe } from './probe';

/**
 * `ok`: works. `warn`: a feature does not work (or only for root). `fail`: haco cannot start containers
 * here until it is fixed. `info`: worth knowing, nothing to fix for haco as it runs now.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';

export interface DoctorCheck {
  /** Stable id, for scripts reading `--json`. */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found, in words. */
  detail: string;
  /** The one command that fixes it (absent when there is nothing to fix). */
  fix?: string;
}

/** A manifest entry (src/host/tool-manifest.ts) with what this host has of it. */
export interface DoctorTool extends ToolEntry {
  found: boolean;
  path?: string;
  status: CheckStatus;
  fix?: string;
}

export interface DoctorReport {
  /** False when a check failed: haco cannot run containers here as things are. */
  ok: boolean;
  checks: DoctorCheck[];
  /** Every entry of the tool manifest (src/host/tool-manifest.ts). */
  tools: DoctorTool[];
}

/** Node.js versions haco supports (package.json engines). */
export const MIN_NODE: readonly [number, number] = [20, 5];

/** How to get a current Node.js on Debian/Ubuntu, whose apt has an older one (also in the README). */
export const NODE_FIX = 'install Node.js 22 from NodeSource: curl -fsSL https://deb.nodesource.com/setup_22.x | bash - && apt-get install -y nodejs';

function int(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number.parseInt(text.trim(), 10);
  return Number.isNaN(n) ? undefined : n;
}

function versionAtLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

function privileges(p: HostProbe): DoctorCheck {
  return p.uid === 0
    ? { id: 'privileges', title: 'privileges', status: 'ok', detail: 'root: every feature is available' }
    : {
        id: 'privileges',
        title: 'privileges',
        status: 'info',
        detail: `rootless (${p.user}, uid ${p.uid}): plan, validate, explain, diff work; create, start and networking need root`,
        fix: 'sudo npx haco start FILE',
      };
}

function userNamespaces(p: HostProbe): DoctorCheck {
  const base = { id: 'userns', title: 'user namespaces' };
  const max = int(p.read('/proc/sys/user/max_user_namespaces'));
  if (max === 0) return { ...base, status: 'fail', detail: 'user.max_user_namespaces is 0: no user namespace can be created', fix: 'sysctl -w user.max_user_namespaces=15000' };
  const limit = max === undefined ? 'no limit file' : `up to ${max}`;
  const debian = int(p.read('/proc/sys/kernel/unprivileged_userns_clone'));
  if (debian === 0) {
    return { ...base, status: p.uid === 0 ? 'info' : 'warn', detail: `${limit}; unprivileged ones are disabled (kernel.unprivileged_userns_clone=0)`, fix: 'sysctl -w kernel.unprivileged_userns_clone=1' };
  }
  const ubuntu = int(p.read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'));
  if (ubuntu === 1) {
    return {
      ...base,
      status: p.uid === 0 ? 'info' : 'warn',
      detail: `${limit}; AppArmor restricts unprivileged ones (kernel.apparmor_restrict_unprivileged_userns=1, Ubuntu 23.10+)`,
      fix: 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
    };
  }
  return { ...base, status: 'ok', detail: `${limit}, unprivileged ones allowed` };
}

/** Does /etc/subuid (or subgid) give this user a range? Lines are `name-or-uid:start:count`. */
function subRange(text: string | undefined, p: HostProbe): string | undefined {
  for (const line of (text ?? '').split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if ((who === p.user || who === String(p.uid)) && start && count) return `${start}+${count}`;
  }
  return undefined;
}

function subordinateIds(p: HostProbe): DoctorCheck {
  const base = { id: 'subids', title: 'subordinate ids' };
  if (p.uid === 0) return { ...base, status: 'info', detail: 'root maps any uid directly (subordinate ids matter for rootless users only)' };
  const uids = subRange(p.read('/etc/subuid'), p);
  const gids = subRange(p.read('/etc/subgid'), p);
  if (uids && gids) return { ...base, status: 'ok', detail: `${p.user}: uids ${uids}, gids ${gids} (/etc/subuid, /etc/subgid)` };
  return {
    ...base,
    status: 'warn',
    detail: `${p.user} has no ${uids ? '' : 'subuid '}${!uids && !gids ? 'or ' : ''}${gids ? '' : 'subgid '}range: a rootless container can map only its own uid`,
    fix: `usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${p.user}`,
  };
}

/** The cgroup v2 path of this process (`0::/user.slice/…`), if any. */
function ownV2Cgroup(p: HostProbe): string | undefined {
  const line = (p.read('/proc/self/cgroup') ?? '').split('\n').find((l) => l.startsWith('0::'));
  return line?.slice(3).trim();
}

function cgroups(p: HostProbe): DoctorCheck {
  const base = { id: 'cgroup', title: 'cgroups' };
  if (p.cgroup instanceof HacoError) return { ...base, status: 'fail', detail: p.cgroup.message, ...(p.cgroup.hint ? { fix: p.cgroup.hint } : {}) };
  const c = p.cgroup;
  const what =
    c.mode === 'v2'
      ? `v2 at ${c.v2!.path} (controllers: ${c.v2!.controllers.join(' ') || 'none'})`
      : c.mode === 'hybrid'
        ? `hybrid: v1 controllers ${Object.keys(c.v1!.hierarchies).sort().join(' ')}, v2 at ${c.v2!.path} (controllers: ${c.v2!.controllers.join(' ') || 'none'})`
        : `v1: controllers ${Object.keys(c.v1!.hierarchies).sort().join(' ')}`;
  if (p.uid === 0) return { ...base, status: 'ok', detail: `${what}; root creates containers' cgroups under ${c.root}/…/haco` };
  if (c.mode !== 'v2') {
    return { ...base, status: 'warn', detail: `${what}; v1 hierarchies are not delegated to users: resource limits need root`, fix: 'sudo npx haco start FILE' };
  }
  if (p.delegatedCgroup) {
    const d = p.delegatedCgroup;
    return { ...base, status: 'ok', detail: `${what}; ${d.path} is delegated to ${p.user} (controllers: ${d.controllers.join(' ') || 'none'}): rootless containers get ${d.path}/haco/NAME` };
  }
  const own = ownV2Cgroup(p);
  const dir = own === undefined ? undefined : path.join(c.v2!.path, own);
  const delegated = p.delegatedCgroup === undefined && dir !== undefined && p.read(path.join(dir, 'cgroup.controllers')) !== undefined && p.writable(path.join(dir, 'cgroup.subtree_control'));
  return delegated
    ? { ...base, status: 'ok', detail: `${what}; ${dir} is delegated to ${p.user} (controllers: ${(p.read(path.join(dir!, 'cgroup.controllers')) ?? '').trim() || 'none'})` }
    : {
        ...base,
        status: 'warn',
        detail: `${what}; ${dir ?? 'this process\'s cgroup'} is not delegated to ${p.user}: rootless resource limits are not possible from here`,
        fix: 'systemd-run --user --scope -p Delegate=yes npx haco start FILE',
      };
}

function overlay(p: HostProbe): DoctorCheck {
  const base = { id: 'overlay', title: 'overlayfs' };
  const fsList = p.read('/proc/filesystems') ?? '';
  const present = /\boverlay$/m.test(fsList) || p.read(`/lib/modules/${p.kernelRelease}/modules.builtin`)?.includes('overlay') === true || p.exists(`/lib/modules/${p.kernelRelease}/kernel/fs/overlayfs`);
  if (!present) return { ...base, status: 'warn', detail: 'overlayfs is not available: overlay rootfs layers will not mount', fix: 'modprobe overlay' };
  const [major = 0, minor = 0] = p.kernelRelease.split(/[.-]/).map(Number);
  const userxattr = major > 5 || (major === 5 && minor >= 11);
  return userxattr
    ? { ...base, status: 'ok', detail: `available; userxattr (overlay inside a user namespace) supported by kernel ${p.kernelRelease}` }
    : { ...base, status: 'warn', detail: `available, but kernel ${p.kernelRelease} < 5.11 has no userxattr: overlay works for root only`, fix: 'apt-get install linux-image-amd64 (a kernel ≥ 5.11), then reboot' };
}

function seccomp(p: HostProbe): DoctorCheck {
  const base = { id: 'seccomp', title: 'seccomp' };
  const actions = p.read('/proc/sys/kernel/seccomp/actions_avail');
  if (actions === undefined) return { ...base, status: 'fail', detail: 'seccomp filters are not available (no /proc/sys/kernel/seccomp): the default filter cannot be applied', fix: 'boot a kernel built with CONFIG_SECCOMP_FILTER=y (Debian and Ubuntu kernels are)' };
  return { ...base, status: 'ok', detail: `filters available (actions: ${actions.trim()})` };
}

function apparmor(p: HostProbe): DoctorCheck {
  const base = { id: 'apparmor', title: 'AppArmor' };
  const enabled = p.read('/sys/module/apparmor/parameters/enabled')?.trim();
  if (enabled === 'Y') return { ...base, status: 'ok', detail: "enabled: containers are confined by haco's default profile haco-default (loaded with apparmor_parser)" };
  const why = enabled === undefined ? 'not in this kernel' : 'built in but disabled';
  return { ...base, status: 'info', detail: `${why}: haco's default profile haco-default is not applied (haco plan and haco explain show it as a row), and a definition naming a profile fails with E_APPARMOR_UNAVAILABLE` };
}

function criu(p: HostProbe): DoctorCheck[] {
  const base = { id: 'criu', title: 'checkpoint/restore (criu)' };
  const s = p.criu;
  if (!s) return [];
  if (s.ok) return [{ ...base, status: 'ok', detail: `criu ${s.version}: \`criu check\` passes (haco checkpoint / restore work)` }];
  return [{ ...base, status: 'info', detail: `${s.reason}: haco checkpoint / restore fail with E_CRIU_UNAVAILABLE here`, fix: 'a kernel this criu supports (e.g. Debian\'s linux-image-cloud-amd64) and the criu package' }];
}

function node(p: HostProbe): DoctorCheck {
  const base = { id: 'node', title: 'Node.js' };
  return versionAtLeast(p.nodeVersion, MIN_NODE)
    ? { ...base, status: 'ok', detail: `v${p.nodeVersion}` }
    : { ...base, status: 'fail', detail: `v${p.nodeVersion}; haco needs ${MIN_NODE.join('.')} or newer`, fix: NODE_FIX };
}

function launcher(p: HostProbe): DoctorCheck {
  const base = { id: 'launcher', title: 'native launcher' };
  if (p.launcher instanceof HacoError) return { ...base, status: 'fail', detail: p.launcher.message, ...(p.launcher.hint ? { fix: p.launcher.hint } : {}) };
  const l = p.launcher;
  if (l.built) return { ...base, status: 'ok', detail: `${l.path} (${{ env: 'HACO_LAUNCHER', tree: 'built by npm run build', cache: 'built on first use' }[l.source]})` };
  if (l.source === 'env') return { ...base, status: 'fail', detail: `HACO_LAUNCHER points at ${l.path}, which is missing or not executable`, fix: 'unset HACO_LAUNCHER' };
  if (p.missingBuildTools.length === 0) return { ...base, status: 'ok', detail: `not built yet: the first create or start builds it into ${path.dirname(l.path)} (cc, make and seccomp.h are here)` };
  return { ...base, status: 'fail', detail: `not built, and building it needs ${p.missingBuildTools.join(', ')}`, fix: installHint(LAUNCHER_BUILD_TOOLS) };
}

function tools(p: HostProbe): DoctorTool[] {
  // Once the launcher is built, its build tools are only needed again for a new haco version.
  const launcherBuilt = !(p.launcher instanceof HacoError) && p.launcher.built;
  return p.tools.map(({ entry, path: where, found }) => {
    const buildOnly = launcherBuilt && (LAUNCHER_BUILD_TOOLS as readonly string[]).includes(entry.name);
    const status: CheckStatus = found ? 'ok' : entry.set === 'dev' || buildOnly ? 'info' : entry.need === 'required' ? 'fail' : 'warn';
    // Only Node.js's own programs (node, npm, npx) do not come from apt.
    const fix = found ? undefined : entry.package ? `apt-get install ${entry.package}` : NODE_FIX;
    return { ...entry, found, status, ...(where ? { path: where } : {}), ...(fix ? { fix } : {}) };
  });
}

/** Container cgroups killed launchers left (`haco start` removes only its own name's: docs/lifecycle.md). */
function leftoverCgroups(p: HostProbe): DoctorCheck[] {
  if (p.staleCgroups === undefined) return [];
  const base = { id: 'cgroup-leftovers', title: 'leftover cgroups' };
  const tops = p.staleCgroups.filter((d) => path.basename(path.dirname(d)) === 'haco');
  if (tops.length === 0) return [{ ...base, status: 'ok', detail: 'no empty container cgroup left under haco/' }];
  const shown = tops.slice(0, 3).join(', ') + (tops.length > 3 ? `, … (${tops.length} in all)` : '');
  return [{ ...base, status: 'warn', detail: `${tops.length} empty container cgroup(s) no process uses: ${shown}`, fix: 'haco prune' }];
}

/** lxcfs, for containers with `.lxcfs()`: a host daemon haco does not start by itself. */
function lxcfs(p: HostProbe): DoctorCheck[] {
  if (p.lxcfs === undefined) return [];
  const base = { id: 'lxcfs', title: 'lxcfs' };
  const installed = p.tools.some((t) => t.entry.name === 'lxcfs' && t.found);
  if (p.lxcfs instanceof HacoError) return [{ ...base, status: 'warn', detail: p.lxcfs.message }];
  const s = p.lxcfs;
  const users = s.users.length > 0 ? `; used by ${s.users.join(', ')}` : '';
  switch (s.state) {
    case 'running':
      return [{ ...base, status: 'ok', detail: `running at ${s.mountpoint} (pid ${String(s.pid)}${s.startedByHaco ? ', started by haco lxcfs start' : ''})${users}` }];
    case 'stale':
      return [{ ...base, status: 'warn', detail: `${s.mountpoint} is a stale lxcfs mount (no lxcfs serves it): containers with .lxcfs() would fail`, fix: 'haco lxcfs stop' }];
    case 'stopped':
      return [
        installed
          ? { ...base, status: 'info', detail: `not running: containers with .lxcfs() will not start until it runs`, fix: 'haco lxcfs start' }
          : { ...base, status: 'info', detail: 'not installed: .lxcfs() is not available', fix: 'apt-get install lxcfs' },
      ];
  }
}

/** Every check of `haco doctor`, in the order it prints them. */
export function diagnose(p: HostProbe): DoctorReport {
  const checks = [privileges(p), userNamespaces(p), subordinateIds(p), cgroups(p), ...leftoverCgroups(p), overlay(p), seccomp(p), apparmor(p), ...lxcfs(p), ...criu(p), node(p), launcher(p)];
  const toolList = tools(p);
  const ok = !checks.some((c) => c.status === 'fail') && !toolList.some((t) => t.status === 'fail');
  return { ok, checks, tools: toolList };
}
