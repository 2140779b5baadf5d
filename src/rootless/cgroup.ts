import { planCgroupV2 } from '../cgroup/v2';
import { CgroupError } from '../errors';
import type { CgroupSetup, CgroupHost } from '../cgroup/types';
import type { CgroupPlan } from '../plan/types';
import type { DelegatedCgroup } from './delegation';

/** The limits a plan asks for, by their DSL names (for the notice). */
export function requestedLimits(plan: CgroupPlan): string[] {
  const r = plan.resources;
  const asked: string[] = [];
  if (r.cpu) asked.push('.cpu()');
  if (r.cpuset) asked.push('.cpuset()');
  if (r.memory) asked.push('.memory()');
  if (r.pids) asked.push('.pids()');
  if (r.io) asked.push('.io()');
  if (Object.keys(plan.raw.v1).length + Object.keys(plan.raw.v2).length > 0) asked.push('.cgroupRaw()');
  return asked;
}

/**
 * Why an ordinary user gets no cgroup on HOST: v1 hierarchies (this machine's hybrid layout) are root's
 * alone, and on v2 only a subtree delegated to the user (systemd's user@.service with Delegate=yes) may
 * be written — haco looks for one above its own cgroup (src/rootless/delegation.ts).
 */
export function noCgroupReason(host: CgroupHost): string {
  return host.mode === 'v2'
    ? 'your cgroup (/proc/self/cgroup) is not in a subtree delegated to you (a systemd user session delegates user@UID.service: `systemd-run --user --scope -p Delegate=yes haco start …` runs inside it)'
    : `this is a cgroup ${host.mode} host: its v1 controller hierarchies can only be written by root, and none is delegated to users`;
}

/**
 * The cgroup setup of a rootless container. With a delegated v2 subtree: the same as root's, rooted
 * there (DELEGATED/haco/NAME, controllers enabled on the way, limits written, born into it, removed
 * afterwards) — without the device program, which needs CAP_SYS_ADMIN on the host (bpf(2)); in a user
 * namespace the container cannot make device nodes anyway. Without one: none. Its processes stay in the
 * caller's own cgroup; nothing is made, joined or removed; the notes say what is not applied.
 */
export function rootlessCgroupSetup(name: string, plan: CgroupPlan, host: CgroupHost, delegated?: DelegatedCgroup): CgroupSetup {
  if (delegated) {
    let setup: CgroupSetup;
    try {
      setup = planCgroupV2(name, plan, { mode: 'v2', root: delegated.path, v2: { path: delegated.path, controllers: delegated.controllers } });
    } catch (e) {
      if (!(e instanceof CgroupError) || e.code !== 'E_CGROUP_CONTROLLER') throw e;
      throw new CgroupError('E_CGROUP_CONTROLLER', `${e.message} (the subtree delegated to you)`, 'the delegation does not include it: remove that limit, or have it delegated (systemd: a drop-in for user@.service with Delegate=cpu cpuset io memory pids)');
    }
    return { ...setup, notes: [`rootless: cgroup in the subtree delegated to you, ${delegated.path}; no device program (bpf needs root on the host)`] };
  }
  const asked = requestedLimits(plan);
  const notes = asked.length > 0 ? [`rootless: ${asked.join(', ')} not applied: ${noCgroupReason(host)}`] : [];
  return { version: host.mode === 'v2' ? 'v2' : 'v1', actions: [], join: [], tracking: '', cleanup: [], notes };
}
