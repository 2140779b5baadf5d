import { planCgroupSetup } from '../cgroup/setup';
import { rootlessCgroupSetup } from '../rootless/cgroup';
import type { CgroupSetup } from '../cgroup/types';
import * as posix from 'node:path/posix';
import { HacoError, HostError } from '../errors';
import type { ContainerPlan } from '../plan/types';
import { decideAppArmor, emitAppArmorExec, emitAppArmorLoad } from './compile-apparmor';
import { emitCaps } from './compile-caps';
import { emitHints, launchHints } from './compile-hints';
import { deviceRulesWithNodes, emitConfigDeviceNodes, emitDeviceCgroup, emitDeviceNodes } from './compile-devices';
import { emitBootstrapBinds, emitMounts, emitRootfs, emitSwitchRoot } from './compile-mounts';
import { emitLxcfs } from './compile-lxcfs';
import { emitFuseOverlay, overlayMounter } from './compile-fuse-overlay';
import {
  checkKernelFeatures,
  emitBecomeMapped,
  emitIdMaps,
  emitPersist,
  emitSetns,
  emitTimeNamespace,
  inUserNamespace,
  spawnField,
} from './compile-namespaces';
import { emitLifecycle, type LifecycleOptions } from './compile-lifecycle';
import { emitEnv, emitPreserveFds, emitRlimits, emitStdio, emitUser, withListenFds } from './compile-process';
import { emitSeccomp, seccompCacheFile, seccompLoadsEarly } from './compile-seccomp';
import { emitSpawnCgroups } from './compile-spawn-cgroup';
import { emitTerminal, forwardedSignals, type TerminalOptions } from './compile-terminal';
import type { HostFacts } from './host-facts';
import { SpecWriter } from './spec-writer';
import { networkSpecEntries } from './compile-network';
import { emitHooksAt, emitSupervision, handledSignals, hooksAt } from './compile-supervision';
import { HELPER_READY_FD, usermodeHelperCommand } from '../network/usermode';
import { CGROUP_LOCK_WAIT_MS, cgroupLockPath, HOST_MODES, octal } from '../state/paths';
import type { SpecEntry } from './spec-format';
import type { StepName } from './steps';

/** Append the network's entries (hook / cleanup-cmd steps with their learner comments). */
function emitNetworkEntries(w: SpecWriter, entries: readonly SpecEntry<StepName>[]): void {
  for (const e of entries) {
    if (e.kind === 'comment') w.comment(e.text);
    else w.step(e.step, ...e.fields);
  }
}

export interface CompileOptions {
  /** Learner comments in the text (default true; the launcher ignores them either way). */
  comments?: boolean;
  /**
   * argv of the command that wires the bridged network (run on the host in the wire phase with HACO_PID).
   * Until networking lands, a plan with `network` gets a placeholder comment instead.
   */
  networkHook?: readonly string[];
  /** State dir, lock and restart policy for `haco start` (src/runtime/compile-lifecycle.ts). */
  lifecycle?: LifecycleOptions;
  /** A foreground start's terminal (pty, stdin relay) and so which signals the launcher forwards. */
  terminal?: TerminalOptions;
  /**
   * A private cache dir (src/cache-file.ts `cacheDir('seccomp')`) where the launcher keeps the seccomp
   * filter's BPF (`seccomp-prepared`): libseccomp's build of the default profile is ~2.5 ms of a launch.
   * Absent: the filter is built with libseccomp on every launch.
   */
  seccompCache?: string;
}

export interface CompiledSpec {
  lines: string[];
  text: string;
  /** The cgroup plan the spec applies: `tracking` is where `haco ps` counts the container's processes. */
  cgroup: CgroupSetup;
}

/**
 * Compile one container of a plan into the launch spec the native launcher executes
 * (docs/launch-spec.md). Pure: everything about the machine comes from `host`, so the same inputs always
 * give the same text. Throws HacoError for what this host cannot do (a missing cgroup controller, a
 * namespace the kernel lacks) before anything is started.
 */
export function compileLaunchSpec(container: ContainerPlan, host: HostFacts, opts: CompileOptions = {}): CompiledSpec {
  const c = container;
  const ns = c.namespaces;
  if (!ns.unshare.includes('mount')) {
    // Every later mount step would change the host's own mount table.
    throw new HacoError('E_PLAN_NO_MOUNT_NS', `container "${c.name}" does not unshare the mount namespace`, {
      hint: "keep 'mount' unshared (remove .share('mount')); haco needs it to switch into the rootfs",
    });
  }
  checkKernelFeatures(c.name, ns, host.kernel);
  if (c.seccomp && !host.kernel.seccomp) {
    throw new HostError('E_KERNEL_SECCOMP', `container "${c.name}" has a seccomp filter, but this kernel has no seccomp filter support`, 'add .seccomp(false) (every container gets haco\'s default filter otherwise) or use a kernel with CONFIG_SECCOMP_FILTER');
  }
  // Rootless: a cgroup only in a subtree delegated to the user (src/rootless/cgroup.ts says why not, in
  // the spec and in every notice).
  const cgroup = host.rootless ? rootlessCgroupSetup(c.name, c.cgroup, host.cgroup, host.rootless.delegatedCgroup) : planCgroupSetup(c.name, c.cgroup, host.cgroup, deviceRulesWithNodes(c.devices, c.deviceNodes));
  const apparmor = decideAppArmor(c, host);
  const pathKind = host.pathKind ?? (() => 'directory' as const);
  const userNs = inUserNamespace(ns);
  // The kernel's overlayfs, or fuse-overlayfs (where the kernel cannot, or when asked); throws with the fix.
  const mounter = overlayMounter(c, host, userNs);
  const w = new SpecWriter();

  w.comment(`launch spec for container "${c.name}" — read top to bottom; see docs/launch-spec.md`);
  w.step('name', c.name);
  // haco's own host directories (modes: src/state/paths.ts), made or tightened before anything else.
  const lock = cgroup.actions.length > 0 ? cgroupLockPath() : undefined;
  const hostDirs = new Set<string>();
  if (opts.lifecycle) hostDirs.add(posix.dirname(opts.lifecycle.stateDir));
  if (lock) hostDirs.add(posix.dirname(lock));
  for (const dir of hostDirs) w.step('host-dir', dir, octal(HOST_MODES.top));
  const preserveFds = c.process.preserveFds ?? 0;
  emitPreserveFds(w, preserveFds);
  emitLifecycle(w, c, opts.lifecycle, cgroup);
  // Signals with an .onSignal() handler stay with the supervisor (its event process runs the command).
  const handled = handledSignals(c);
  w.step('forward-signals', forwardedSignals(opts.terminal).filter((s) => !handled.includes(s)).join(',') || '-');
  // Cleanup first (the launcher also cleans up after a failed launch), then the hints.
  for (const dir of cgroup.cleanup) w.step('cleanup-cgroup', dir);
  // The shared haco parents go too when this was the last container under them (see cgroupLockPath).
  for (const dir of new Set(cgroup.parents ?? cgroup.cleanup.map((d) => posix.dirname(d)))) w.step('cleanup-cgroup-parent', dir);
  // An OOM kill looks like any SIGKILL (status 137): the launcher names the kernel as the sender.
  if (cgroup.oomEvents) w.step('report-oom', cgroup.oomEvents);
  // network (src/network): removes only what this container's wire steps made (see networkCleanupCommands).
  if (c.network && !opts.networkHook) emitNetworkEntries(w, networkSpecEntries(c.network, c.name).cleanup);
  // afterExit hooks run once the container is gone, even when nobody waits for it (detached start).
  for (const argv of hooksAt(c, 'afterExit')) w.step('cleanup-cmd', ...argv);
  // afterFailure: after the cleanup, when the launch failed or the command exited non-zero (HACO_EXIT_CODE).
  for (const argv of hooksAt(c, 'afterFailure')) w.step('failure-cmd', ...argv);
  emitSupervision(w, c, cgroup);
  emitHints(w, launchHints(c, host, cgroup));

  w.comment('phase 1: prepare, on the host, before the container exists');
  w.comment(`cgroup (${host.cgroup.mode} host, ${cgroup.version} interface): the container's processes are counted in ${cgroup.tracking}`);
  for (const note of cgroup.notes) w.comment(`note: ${note}`);
  emitHooksAt(w, c, 'setup');
  if (lock) w.step('cgroup-lock', lock, CGROUP_LOCK_WAIT_MS);
  for (const a of cgroup.actions) {
    if (a.op === 'mkdir') w.step('cgroup-mkdir', a.path);
    else w.step('cgroup-write', a.path, a.value);
  }
  emitDeviceCgroup(w, cgroup.devices);
  emitStdio(w, c.process, 'host');
  if (ns.enter.length > 0) w.comment('join existing namespaces (user first: it grants the rights to join the rest)');
  emitSetns(w, ns);
  emitTimeNamespace(w, ns);
  emitAppArmorLoad(w, apparmor);
  emitOverlayOwner(w, c);
  emitHooksAt(w, c, 'beforeStart');
  if (opts.lifecycle?.waitStart) {
    w.comment('OCI "created": the fifo `haco runtime start` writes to, opened before the spawn so the child keeps it across pivot_root');
    w.step('start-fifo', opts.lifecycle.waitStart);
  }
  if (c.seccomp && opts.seccompCache) {
    w.comment('the seccomp filter as BPF, kept between launches for exactly these rules (built with libseccomp when missing or different)');
    w.step('seccomp-prepared', seccompCacheFile(opts.seccompCache, c.seccomp));
  }
  // cgroup v2 on Linux 5.7+: born in the cgroup (clone3 CLONE_INTO_CGROUP). Moving it there by writing
  // cgroup.procs takes the kernel's migration lock, whose first writer waits for an RCU grace period.
  const bornInto = cgroup.version === 'v2' && host.kernel.cloneIntoCgroup && cgroup.join.length === 1 ? cgroup.join[0] : undefined;
  // cgroup v1: born in its cgroups too: the launcher moves itself there, clones it, moves back (native/src/cgroup_move.c).
  const bornInV1 = !bornInto && cgroup.version === 'v1' && cgroup.bornInJoin === true ? cgroup.moves ?? [] : [];
  if (bornInto) {
    w.comment(`clone3(2) with the new namespaces, straight into ${bornInto}; the child waits until the wire phase is done`);
    w.step('spawn', spawnField(ns), bornInto);
  } else if (bornInV1.length > 0) {
    w.comment('clone(2) with the new namespaces, by the launcher moved into these cgroups (0 into tasks: no migration lock) and back after; the child waits until the wire phase is done');
    emitSpawnCgroups(w, bornInV1);
    w.step('spawn', spawnField(ns));
  } else {
    w.comment('clone(2) with the new namespaces; the child waits until the wire phase is done');
    w.step('spawn', spawnField(ns));
  }

  w.comment('phase 2: wire, in the parent, while the child waits');
  emitIdMaps(w, ns, host.rootless?.fullRange ? host.rootless.helpers : undefined);
  if (!bornInto && bornInV1.length === 0) for (const dir of cgroup.join) w.step('cgroup-join', dir);
  emitIdmapRootfs(w, c.rootfs);
  if (mounter === 'fuse') emitFuseOverlay(w, c);
  emitPersist(w, ns);
  if (c.process.oomScoreAdj !== undefined) w.step('oom-score-adj', c.process.oomScoreAdj);
  emitHooksAt(w, c, 'afterSpawn');
  // ---- network (src/network, docs/network.md): iproute2 commands run on the host with HACO_PID ----
  if (c.network) {
    if (opts.networkHook) w.step('hook', ...opts.networkHook);
    else emitNetworkEntries(w, networkSpecEntries(c.network, c.name).wire);
  }
  emitHooksAt(w, c, 'afterNetworkCreated');
  // user-mode networking (src/network/usermode.ts): slirp4netns or pasta, alive as long as this run
  if (c.usermodeNetwork) {
    const helper = usermodeHelperCommand(c.usermodeNetwork, host.uid === 0);
    w.comment(helper.why);
    w.step('helper', String(HELPER_READY_FD), ...helper.argv);
  }
  // ---- end network ----
  w.step('release');

  w.comment('phase 3: enter, in the child');
  emitBecomeMapped(w, ns);
  emitHooksAt(w, c, 'afterSpawnChild');
  // After cgroup-join, so the new cgroup namespace's root is the container's own cgroup.
  if (ns.unshare.includes('cgroup')) w.step('unshare', 'cgroup');
  // An overlay mounted inside a user namespace (rootless, or root's .mapRootTo()) cannot use trusted.*
  // xattrs: userxattr keeps its whiteouts and opaque marks in user.overlay.* instead.
  emitRootfs(w, c.rootfs, { userxattr: userNs, fuse: mounter === 'fuse' });
  emitBootstrapBinds(w, c.bootstrap, pathKind);
  emitMounts(w, c.mounts, {
    userNs,
    ownNetNs: ns.unshare.includes('net'),
    ownPidNs: ns.unshare.includes('pid'),
    rootfs: c.rootfs,
    pathKind,
    ...(ns.unshare.includes('cgroup') ? { cgroupfs: host.cgroup } : {}),
  });
  emitLxcfs(w, c.lxcfs);
  emitDeviceNodes(w, c.devices);
  emitConfigDeviceNodes(w, c.deviceNodes ?? [], userNs);
  // Only in a uts namespace of its own: otherwise it would rename the host.
  if (ns.unshare.includes('uts')) w.step('hostname', c.process.hostname);
  if (ns.unshare.includes('net')) w.step('lo-up');
  emitHooksAt(w, c, 'afterNetworkInitialized');
  emitHooksAt(w, c, 'beforeChroot');
  w.comment(`switch into the rootfs with ${c.rootfs.switchRoot}`);
  emitSwitchRoot(w, c.rootfs);
  emitHooksAt(w, c, 'afterChroot');
  emitStdio(w, c.process, 'container');
  emitRlimits(w, c.rlimits);
  emitTerminal(w, c, opts.terminal);
  if (c.noNewPrivileges) w.step('no-new-privs');
  const seccompEarly = seccompLoadsEarly(c);
  if (seccompEarly) {
    emitSeccomp(w, c.seccomp);
    w.step('seccomp-load');
  }
  emitUser(w, c.process);
  emitCaps(w, c.capabilities);
  if (!seccompEarly) emitSeccomp(w, c.seccomp);
  w.step('chdir', c.process.cwd);
  emitEnv(w, withListenFds(c.process.env, preserveFds));
  // beforeExec runs inside the container, with its rootfs, identity and environment, right before exec.
  emitHooksAt(w, c, 'beforeExec');
  if (hooksAt(c, 'afterReload').length > 0) w.comment('afterReload hooks are run by `haco reload`, not by the launcher');
  if (opts.lifecycle?.waitStart) {
    w.comment('OCI "created": everything but the exec is done; the caller of create returns, the child waits for `haco runtime start`');
    w.step('wait-start');
  }
  // Right before exec (and the reaper's fork): the profile takes effect at exec, so the launcher's own
  // remaining steps are not confined by it.
  emitAppArmorExec(w, apparmor);
  if (c.process.reaper) w.step('reaper');
  if (c.seccomp && !seccompEarly) {
    // Last: the launcher's own syscalls (and the reaper, which must always be able to wait) stay unfiltered.
    w.step('seccomp-load');
  }
  w.step('exec', ...c.process.args);
  const rendered = w.render(opts.comments === undefined ? {} : { comments: opts.comments });
  return { ...rendered, cgroup };
}

/**
 * A layered rootfs in a user namespace (.mapRootTo()): overlayfs is mounted by the container's root, who
 * must be able to write the upper and work dirs, or overlayfs falls back to read-only (the launcher then
 * refuses to go on). They are haco's own dirs: hand them to the mapped root before the spawn. The upper
 * dir itself only (what is in it was written by a container and belongs to whoever wrote it); the work
 * dir recursively (overlayfs's scratch space, its work/ subdir may be left from an unmapped run).
 */
function emitOverlayOwner(w: SpecWriter, c: ContainerPlan): void {
  const overlay = c.rootfs.overlay;
  const root = (map: readonly { inside: number; outside: number }[]) => map.find((m) => m.inside === 0)?.outside;
  const uid = root(c.namespaces.uidMap);
  const gid = root(c.namespaces.gidMap);
  if (!overlay || !c.namespaces.unshare.includes('user') || uid === undefined || gid === undefined) return;
  w.comment(`overlay in a user namespace: upper and work belong to the container's root (host ${uid}:${gid}), or overlayfs mounts read-only`);
  w.step('hook', CHOWN, `${uid}:${gid}`, overlay.upper);
  w.step('hook', CHOWN, '-R', `${uid}:${gid}`, overlay.work);
}

/**
 * `.rootfsOwner('idmap')`: the launcher (root on the host) puts an id-mapped copy of the rootfs, or of
 * each overlay lower, over the same path in the child's mount namespace. After the maps (the id map is read
 * from the user namespace when the mount is made), before the child's rootfs steps use the path.
 */
function emitIdmapRootfs(w: SpecWriter, rootfs: ContainerPlan['rootfs']): void {
  if (rootfs.owner !== 'idmap') return;
  const paths = rootfs.overlay ? rootfs.overlay.lower : [rootfs.path];
  w.comment(`rootfs owner: ${rootfs.overlay ? 'the lower layers are' : 'the rootfs is'} seen through the container's id maps (id-mapped mount, only in its mount namespace)`);
  for (const p of paths) w.step('idmap-mount', p);
}

/** coreutils chown (merged /usr: /bin is /usr/bin). */
const CHOWN = '/bin/chown';
