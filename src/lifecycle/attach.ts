import * as fs from 'node:fs';
import { EXIT, HacoError, HostError } from '../errors';
import type { ContainerPlan } from '../plan/types';
import { emitCaps } from '../runtime/compile-caps';
import { emitEnv, emitPreserveFds, emitUser, withListenFds } from '../runtime/compile-process';
import { emitSeccomp } from '../runtime/compile-seccomp';
import { SpecWriter } from '../runtime/spec-writer';
import { cgroupDirs, isSameProcess, ownNamespaces, readEnviron, readSavedPlan, requireRunning, type NsFile } from '../state';

/** Spec kind for each /proc/PID/ns file name. */
const KIND: Record<NsFile, string> = { user: 'user', mnt: 'mount', uts: 'uts', ipc: 'ipc', pid: 'pid', net: 'net', cgroup: 'cgroup', time: 'time' };

/**
 * The launch spec that runs CMD inside a running container (docs/lifecycle.md, attach):
 *   phase 1  setns pid/time: they only take effect for children, so the launcher joins them before spawn
 *   spawn -  a plain fork (now inside the container's pid and time namespaces)
 *   phase 2  cgroup-join: the launcher still sees the host's /sys/fs/cgroup
 *   phase 3  setns user first (it grants the rights to join the others it owns), then uts ipc net
 *            cgroup, mount last (it also switches root and cwd to the container's, or, for a legacy
 *            chroot container, `chroot /proc/PID/root` follows); then the container's identity,
 *            capabilities, seccomp filter and environment, and exec.
 * The /proc/PID/ns paths are opened before the mount namespace changes, so they are the host's.
 */
export function compileAttachSpec(name: string, pid: number, plan: ContainerPlan, env: Record<string, string>, cgroups: string[], command: string[], preserveFds = 0): string {
  const own = ownNamespaces(pid, 'self');
  const w = new SpecWriter();
  w.comment(`attach to container "${name}" (init pid ${pid} on the host): join its namespaces, cgroup, identity`);
  w.step('name', name);
  emitPreserveFds(w, preserveFds);
  w.step('hint', 'setns', '*', `the container may have exited meanwhile: haco ps`);
  w.step('hint', 'exec', 'ENOENT', `"${command[0]}" is not in the container's PATH (${env['PATH'] ?? 'unset'})`);
  for (const kind of ['pid', 'time'] as const) if (own.includes(kind)) w.step('setns', KIND[kind], `/proc/${pid}/ns/${kind}`);
  w.step('spawn', '-');
  for (const dir of cgroups) w.step('cgroup-join', dir);
  w.step('release');
  const order: NsFile[] = ['user', 'uts', 'ipc', 'net', 'cgroup', 'mnt'];
  for (const kind of order) if (own.includes(kind)) w.step('setns', KIND[kind], `/proc/${pid}/ns/${kind}`);
  if (!own.includes('mnt')) w.comment('the container shares the mount namespace: no root to switch to');
  else if (plan.rootfs.switchRoot === 'chroot') {
    // Legacy chroot: the mount namespace's own / is still the host's tree, so setns lands there; the
    // init's root is /proc/PID/root (the host's /proc is still mounted at /proc of that namespace).
    w.step('chroot', `/proc/${pid}/root`);
  }
  if (plan.noNewPrivileges) w.step('no-new-privs');
  emitUser(w, plan.process);
  emitCaps(w, plan.capabilities);
  emitSeccomp(w, plan.seccomp);
  w.step('chdir', plan.process.cwd);
  // The init's LISTEN_* variables describe its fds, not this command's.
  emitEnv(w, withListenFds(env, preserveFds, true));
  if (plan.seccomp) w.step('seccomp-load');
  w.step('exec', ...command);
  return w.render().text;
}

export interface AttachTarget {
  spec: string;
  pid: number;
}

/** Everything attach needs from the state: the running init, the saved plan, its live environment. */
export function prepareAttach(name: string, command: string[] | undefined, preserveFds = 0): AttachTarget {
  const s = requireRunning(name);
  const pid = s.recorded.pid;
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
  const plan = readSavedPlan(s);
  const tracking = s.recorded.meta['tracking'];
  const dirs = cgroupDirs(s).filter((d) => fs.existsSync(d));
  const spec = compileAttachSpec(name, pid, plan, env, dirs.length ? dirs : tracking ? [tracking] : [], command ?? ['/bin/sh'], preserveFds);
  return { spec, pid };
}
