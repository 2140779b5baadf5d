import { planCgroupSetup } from '../cgroup/setup';
import type { CgroupHost } from '../cgroup/types';
import type { ContainerPlan } from '../plan/types';
import { deviceRulesWithNodes, emitDeviceCgroup } from '../runtime/compile-devices';
import { runHostSpec } from '../runtime/host-spec';
import { SpecWriter } from '../runtime/spec-writer';

/**
 * After `criu restore`: the plan's cgroup limits and device allow-list, applied again.
 *
 * - Limits: criu 3.17 recreates the container's cgroup (--manage-cgroups=full) but not the controllers of
 *   its parents' cgroup.subtree_control, so memory.max, pids.max and cpu.max are missing and the restored
 *   tree runs unlimited (seen in the VM tier). The writes are the ones a start makes (planCgroupSetup, one
 *   home), without the mkdirs (criu made the directories).
 * - Devices, cgroup v2: the allow-list is a BPF program attached to the cgroup, which criu neither dumps
 *   nor restores: without this step a restored container could open or mknod any device. The rules are
 *   the ones the start compiled (the same planCgroupSetup call with deviceRulesWithNodes, emitted by the
 *   start's emitDeviceCgroup). On v1 the allow-list is the devices.list file, which criu saves and
 *   writes back itself (its built-in `devices` properties: devices.deny `a`, then devices.allow per
 *   line), so nothing is written here: a `devices.deny a` on a running container would cut it off its
 *   devices for a moment.
 *
 * As a host-only spec the launcher runs (docs/launch-spec.md), like `haco reload`.
 */
export function compileRestoreLimitsSpec(c: ContainerPlan, host: CgroupHost): SpecWriter | undefined {
  const setup = planCgroupSetup(c.name, c.cgroup, host, deviceRulesWithNodes(c.devices, c.deviceNodes));
  const writes = setup.actions.flatMap((a) => (a.op === 'write' ? [a] : []));
  const devices = setup.devices?.version === 'v2' ? setup.devices : undefined;
  if (writes.length === 0 && !devices) return undefined;
  const w = new SpecWriter();
  w.comment(`haco restore ${c.name}: the cgroup limits and device allow-list of the plan again (criu recreated the cgroup without them)`);
  w.step('name', c.name).step('host-only');
  const gone = 'criu did not recreate the cgroup (see restore.log in the checkpoint): the restored container was ended';
  if (writes.length > 0) {
    w.step('hint', 'cgroup-write', 'ENOENT', gone);
    w.step('hint', 'cgroup-write', 'EBUSY', 'the restored processes use more than the limit: the restored container was ended');
  }
  if (devices) {
    w.step('hint', 'cgroup-devices', 'ENOENT', gone);
    w.step('hint', 'cgroup-devices', '*', 'the device program could not be attached again: the restored container was ended (it never runs without its device allow-list)');
  }
  for (const a of writes) w.step('cgroup-write', a.path, a.value);
  emitDeviceCgroup(w, devices);
  return w;
}

/** Applies them through the launcher; a refusal is an E_RESTORE HacoError with the launcher's message. */
export function applyRestoreLimits(c: ContainerPlan, host: CgroupHost): void {
  const spec = compileRestoreLimitsSpec(c, host);
  if (spec) runHostSpec(spec, { trace: false, what: `restore ${c.name}`, codes: { '*': 'E_RESTORE' } });
}
