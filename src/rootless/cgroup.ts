import type { CgroupSetup, CgroupHost } from '../cgroup/types';
import type { CgroupPlan } from '../plan/types';

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
 * be written. The rootless2 lane turns the delegated v2 case into real limits.
 */
export function noCgroupReason(host: CgroupHost): string {
  return host.mode === 'v2'
    ? 'this cgroup v2 host has not delegated a subtree to you (no systemd user session with Delegate=yes)'
    : `this is a cgroup ${host.mode} host: its v1 controller hierarchies can only be written by root, and none is delegated to users`;
}

/**
 * The cgroup setup of a rootless container: none. Its processes stay in the caller's own cgroup; nothing
 * is made, joined or removed; `haco ps` counts them without one. The notes say what is not applied.
 */
export function rootlessCgroupSetup(plan: CgroupPlan, host: CgroupHost): CgroupSetup {
  const asked = requestedLimits(plan);
  const notes = asked.length > 0 ? [`rootless: ${asked.join(', ')} not applied: ${noCgroupReason(host)}`] : [];
  return { version: host.mode === 'v2' ? 'v2' : 'v1', actions: [], join: [], tracking: '', cleanup: [], notes };
}
