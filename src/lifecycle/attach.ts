import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, HacoError, HostError } from '../errors';
import type { CapabilitiesPlan, CapabilityName, ContainerPlan, RlimitEntry, StdioPlan } from '../plan/types';
import { readLimits } from '../procfs/limits';
import { emitCaps } from '../runtime/compile-caps';
import { execCapsHint } from '../runtime/compile-hints';
import { emitEnv, emitPreserveFds, emitRlimits, emitStdio, emitUser, withListenFds } from '../runtime/compile-process';
import { containerPtmx, forwardedSignals, type TerminalOptions } from '../runtime/compile-terminal';
import { emitSeccomp, seccompLoadsEarly } from '../runtime/compile-seccomp';
import { SpecWriter } from '../runtime/spec-writer';
import { emitSpawnCgroups } from '../runtime/compile-spawn-cgroup';
import { detectCgroupHost, pidsLimited, v1SelfMoves, type V1SelfMove } from '../cgroup';
import { HOST_MODES, octal } from '../state/paths';
import { ATTACH_COMMAND_TOKEN, snapshotInputs, writeAttachTemplate } from './attach-template';
import { cgroupDirs, isSameProcess, ownNamespaces, readEnviron, readSavedPlan, requireRunning, type NsFile } from '../state';

/** Spec kind for each /proc/PID/ns file name. */
const KIND: Record<NsFile, string> = { user: 'user', mnt: 'mount', uts: 'uts', ipc: 'ipc', pid: 'pid', net: 'net', cgroup: 'cgroup', time: 'time' };

/**
 * The launch spec that runs CMD inside a running container (docs/lifecycle.md, attach):
 *   phase 1  setns pid/time: they only take effect for children, so the launcher joins them before spawn
 *   spawn -  a plain fork (now inside the container's pid and time namespaces)
 *   phase 2  cgroup-join: the launcher still sees the host's /sys/fs/cgroup (on v1 without a pids limit the
 *            child is born in them instead: spawn-cgroup, read by spawn; setns pid only affects children)
 *   phase 3  setns user first (it grants the rights to join the others it owns), then uts ipc net
 *            cgroup, mount last (it also switches root and cwd to the container's, or, for a legacy
 *            chroot container, `chroot /proc/PID/root` follows); then the container's identity,
 *            capabilities, seccomp filter and environment, and exec.
 * The /proc/PID/ns paths are opened before the mount namespace changes, so they are the host's.
 */
/** STATE/seccomp.bpf: the attach filter's BPF, kept by the launcher (`seccomp-prepared`); removed with the state dir. */
export const SECCOMP_PREPARED_FILE = 'seccomp.bpf';

export interface AttachOptions {
  /** `-u UID[:GID]`: another identity than the init's (no supplementary groups then). */
  user?: { uid: number; gid: number };
  /** `-A CAP`: capabilities added to the init's sets (bounding, permitted, effective). */
  addCaps?: CapabilityName[];
  /** `-D CAP`: capabilities removed from every set. */
  dropCaps?: CapabilityName[];
  /** The init's live resource limits (/proc/PID/limits); absent: none set. */
  rlimits?: RlimitEntry[];
  /** A pty from the container's devpts, relayed to this terminal (like `haco start`). */
  terminal?: TerminalOptions;
  /** `--preserve-fds N`: the caller's fds 3..3+N-1 reach the command (LISTEN_FDS). */
  preserveFds?: number;
  /** `-e KEY=VALUE`: set for this command on top of the init's live environment. */
  env?: Record<string, string>;
  /** The caller is an ordinary user (docs/rootless.md): the container's user namespace is joined first. */
  rootless?: boolean;
  /**
   * Where the launcher keeps the seccomp filter's BPF between attaches (`seccomp-prepared`): libseccomp's
   * build of the default profile is most of an attach's time. In the container's root-only state dir.
   */
  seccompPrepared?: string;
  /**
   * `haco runtime exec --detach` (src/oci-runtime/exec.ts): the launcher runs --detach with this state dir
   * and leaves once the command runs (supervisor-exits), so the engine's subreaper waits for it; its stdio
   * are host files (the caller's, as /proc/PID/fd/N).
   */
  detached?: { stateDir: string; stdio: StdioPlan; consoleSocket?: string };
  /**
   * cgroup v1: the command is born in the container's cgroups (`spawn-cgroup`: the launcher moves itself
   * in, clones, moves back) instead of being moved there (`cgroup-join`), which after an idle spell waits
   * for an RCU grace period. Absent: `cgroup-join`.
   */
  selfMoves?: V1SelfMove[];
}

/** The init's capability sets with -A/-D applied. */
export function attachCapabilities(caps: CapabilitiesPlan, add: readonly CapabilityName[] = [], drop: readonly CapabilityName[] = []): CapabilitiesPlan {
  const edit = (set: CapabilityName[], withAdd: boolean) => [...new Set([...set, ...(withAdd ? add : [])])].filter((c) => !drop.includes(c));
  return {
    bounding: edit(caps.bounding, true),
    effective: edit(caps.effective, true),
    permitted: edit(caps.permitted, true),
    inheritable: edit(caps.inheritable, false),
    ambient: edit(caps.ambient, false),
  };
}

export function compileAttachSpec(name: string, pid: number, plan: ContainerPlan, env: Record<string, string>, cgroups: string[], command: string[], opts: AttachOptions = {}): string {
  const preserveFds = opts.preserveFds ?? 0;
  const own = ownNamespaces(pid, 'self');
  const w = new SpecWriter();
  w.comment(`attach to container "${name}" (init pid ${pid} on the host): join its namespaces, cgroup, limits, identity`);
  w.step('name', name);
  if (opts.detached) {
    w.step('state-dir', opts.detached.stateDir, 'keep', octal(HOST_MODES.private));
    w.step('supervisor-exits');
    if (opts.detached.consoleSocket) w.step('console-socket', opts.detached.consoleSocket);
  }
  emitPreserveFds(w, preserveFds);
  w.step('forward-signals', forwardedSignals(opts.terminal).join(','));
  w.step('hint', 'setns', '*', `the container may have exited meanwhile: haco ps`);
  w.step('hint', 'exec', 'ENOENT', `"${command[0]}" is not in the container's PATH (${env['PATH'] ?? 'unset'})`);
  w.step('hint', 'exec', 'EPERM', execCapsHint(attachCapabilities(plan.capabilities, opts.addCaps, opts.dropCaps).bounding));
  // Rootless: only the container's user namespace gives the rights to join its pid namespace (the host's
  // one gives an ordinary user none), so it is joined first, here, and not again after the spawn.
  const userFirst = opts.rootless === true && own.includes('user');
  if (userFirst) w.step('setns', KIND.user, `/proc/${pid}/ns/user`);
  for (const kind of ['pid', 'time'] as const) if (own.includes(kind)) w.step('setns', KIND[kind], `/proc/${pid}/ns/${kind}`);
  // With a terminal the pty's peer becomes fds 0-2: the caller's stdio would only be replaced.
  if (opts.detached && !opts.terminal?.pty) emitStdio(w, { ...plan.process, stdio: opts.detached.stdio }, 'host');
  if (plan.seccomp && opts.seccompPrepared) w.step('seccomp-prepared', opts.seccompPrepared);
  if (opts.selfMoves) emitSpawnCgroups(w, opts.selfMoves);
  w.step('spawn', '-');
  if (!opts.selfMoves) for (const dir of cgroups) w.step('cgroup-join', dir);
  w.step('release');
  // The init's limits, while we are still the host's root: raising a hard limit needs CAP_SYS_RESOURCE in
  // the initial user namespace, which joining the container's user namespace would take away.
  if (opts.rlimits) emitRlimits(w, opts.rlimits);
  const order: NsFile[] = ['user', 'uts', 'ipc', 'net', 'cgroup', 'mnt'];
  for (const kind of order) if (own.includes(kind) && !(userFirst && kind === 'user')) w.step('setns', KIND[kind], `/proc/${pid}/ns/${kind}`);
  if (!own.includes('mnt')) w.comment('the container shares the mount namespace: no root to switch to');
  else if (plan.rootfs.switchRoot === 'chroot') {
    // Legacy chroot: the mount namespace's own / is still the host's tree, so setns lands there; the
    // init's root is /proc/PID/root (the host's /proc is still mounted at /proc of that namespace).
    w.step('chroot', `/proc/${pid}/root`);
  }
  const user = opts.user ? { ...opts.user, groups: [] } : plan.process.user;
  if (opts.terminal?.pty) {
    const ptmx = containerPtmx(plan);
    if (!ptmx) throw new HacoError('E_PTY_UNAVAILABLE', `container "${name}" mounts no devpts of its own: attach cannot give it a terminal`, { hint: 'attach with --no-tty' });
    w.comment('a terminal from the container\'s own devpts, as for haco start');
    w.step('setsid');
    w.step('pty', ptmx, user.uid, user.gid, opts.terminal.stdin ? 'stdin' : 'no-stdin');
  }
  if (plan.noNewPrivileges) w.step('no-new-privs');
  const caps = attachCapabilities(plan.capabilities, opts.addCaps, opts.dropCaps);
  const early = seccompLoadsEarly({ seccomp: plan.seccomp, noNewPrivileges: plan.noNewPrivileges, capabilities: caps });
  if (early) {
    emitSeccomp(w, plan.seccomp);
    w.step('seccomp-load');
  }
  emitUser(w, { ...plan.process, user });
  emitCaps(w, caps);
  if (!early) emitSeccomp(w, plan.seccomp);
  w.step('chdir', plan.process.cwd);
  // The init's LISTEN_* variables describe its fds, not this command's.
  emitEnv(w, withListenFds(env, preserveFds, true));
  if (plan.seccomp && !early) w.step('seccomp-load');
  w.step('exec', ...command);
  return w.render().text;
}

/**
 * `AttachOptions.selfMoves` for a command joining CGROUPS (attach, `haco runtime exec`): born in the
 * container's v1 cgroups (no grace period after an idle spell), but not for an ordinary user (the host's
 * cgroup files are root's), not with a pids limit (a full container would refuse the clone: pidsLimited),
 * and not when the host's layout does not place every dir in a v1 hierarchy (then `cgroup-join`).
 */
export function attachSelfMoves(cgroups: readonly string[], rootless: boolean): V1SelfMove[] | undefined {
  if (rootless || pidsLimited(cgroups)) return undefined;
  try {
    return v1SelfMoves(cgroups, detectCgroupHost());
  } catch {
    return undefined; // no cgroup filesystem found: the join then says why
  }
}

export interface AttachTarget {
  spec: string;
  pid: number;
}

/** Everything attach needs from the state: the running init, the saved plan, its live environment. */
export function prepareAttach(name: string, command: string[] | undefined, opts: Omit<AttachOptions, 'rlimits'> = {}, template?: { launcher: string }): AttachTarget {
  const s = requireRunning(name);
  const pid = s.recorded.pid;
  // `template`: the plain form (docs/performance.md, attach): its inputs are read before anything is compiled.
  const inputs = template ? snapshotInputs(s.dir, pid, s.recorded.pidStart, s.recorded.supervisor, s.recorded.supervisorStart, template.launcher) : undefined;
  let env: Record<string, string>;
  try {
    env = readEnviron(pid);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES' || (error as NodeJS.ErrnoException).code === 'EPERM') {
      throw new HostError('E_NOT_ROOT', `cannot read the environment of "${name}" (pid ${pid}): only root may attach to a container`, `run it as root: sudo haco attach ${name}`);
    }
    throw new HacoError('E_NOT_RUNNING', `cannot read the environment of "${name}" (pid ${pid}): ${(error as Error).message}`, { hint: 'it may have exited meanwhile: haco ps', exitCode: EXIT.state });
  }
  if (!isSameProcess(pid, s.recorded.pidStart)) {
    throw new HacoError('E_NOT_RUNNING', `container "${name}" exited meanwhile`, { exitCode: EXIT.state });
  }
  if (opts.env) env = { ...env, ...opts.env };
  const plan = readSavedPlan(s);
  const tracking = s.recorded.meta['tracking'];
  const dirs = cgroupDirs(s).filter((d) => fs.existsSync(d));
  const rootless = (process.geteuid?.() ?? 0) !== 0;
  const cgroups = dirs.length ? dirs : tracking ? [tracking] : [];
  const selfMoves = attachSelfMoves(cgroups, rootless);
  const full = { ...opts, rlimits: readLimits(pid), rootless, ...(selfMoves ? { selfMoves } : {}), ...(rootless ? {} : { seccompPrepared: path.join(s.dir, SECCOMP_PREPARED_FILE) }) };
  const spec = compileAttachSpec(name, pid, plan, env, cgroups, command ?? ['/bin/sh'], full);
  if (inputs) writeAttachTemplate(s.dir, inputs, compileAttachSpec(name, pid, plan, env, cgroups, [ATTACH_COMMAND_TOKEN], full));
  return { spec, pid };
}
