import { planCgroupSetup } from '../cgroup/setup';
import type { CgroupHost } from '../cgroup/types';
import type { ContainerPlan } from '../plan/types';
import { runHostSpec } from '../runtime/host-spec';
import { SpecWriter } from '../runtime/spec-writer';

/**
 * After `criu restore`: the plan's cgroup limits, written again. criu 3.17 recreates the container's cgroup
 * (--manage-cgroups=full) but not the controllers of its parents' cgroup.subtree_control, so memory.max,
 * pids.max and cpu.max are missing and the restored tree runs unlimited (seen in the VM tier). The writes
 * are the ones a start makes (planCgroupSetup, one home), without the mkdirs (criu made the directories),
 * as a host-only spec the launcher runs (docs/launch-spec.md), like `haco reload`.
 */
export function compileRestoreLimitsSpec(c: ContainerPlan, host: CgroupHost): SpecWriter | undefined {
  const writes = planCgroupSetup(c.name, c.cgroup, host).actions.flatMap((a) => (a.op === 'write' ? [a] : []));
  if (writes.length === 0) return undefined;
  const w = new SpecWriter();
  w.comment(`haco restore ${c.name}: the cgroup limits of the plan again (criu recreated the cgroup without them)`);
  w.step('name', c.name).step('host-only');
  w.step('hint', 'cgroup-write', 'ENOENT', 'criu did not recreate the cgroup (see restore.log in the checkpoint): the restored container was ended');
  w.step('hint', 'cgroup-write', 'EBUSY', 'the restored processes use more than the limit: the restored container was ended');
  for (const a of writes) w.step('cgroup-write', a.path, a.value);
  return w;
}

/** Writes them through the launcher; a refusal is an E_RESTORE HacoError with the launcher's message. */
export function applyRestoreLimits(c: ContainerPlan, host: CgroupHost): void {
  const spec = compileRestoreLimitsSpec(c, host);
  if (spec) runHostSpec(spec, { trace: false, what: `restore ${c.name}`, codes: { '*': 'E_RESTORE' } });
}
