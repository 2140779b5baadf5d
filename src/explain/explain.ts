import type { CgroupHost } from '../cgroup/types';
import type { ContainerPlan } from '../plan/types';
import type { HostFacts } from '../runtime/host-facts';
import { decideAppArmor } from '../runtime/compile-apparmor';
import { currentIdentity } from '../rootless/identity';
import { rootlessNotices } from '../rootless/notices';
import { sharingTable } from './sharing';
import { explainSteps } from './steps';
import type { ContainerExplanation } from './types';

export type { ContainerExplanation, ExplainPhase, ExplainStep, SharingRow } from './types';
export { renderExplanation, type ExplainStyle } from './render';

/** `cgroup v1 hybrid: v1 hierarchies under /sys/fs/cgroup, cpu and cpuacct apart` — what decides the paths. */
export function describeCgroupHost(h: CgroupHost): string {
  if (h.mode === 'v2') return `cgroup v2 (unified hierarchy at ${h.v2?.path ?? h.root})`;
  const hier = h.v1?.hierarchies ?? {};
  const cpu = hier['cpu'] !== undefined && hier['cpuacct'] !== undefined ? (hier['cpu'] === hier['cpuacct'] ? ', cpu and cpuacct together' : ', cpu and cpuacct apart') : '';
  return `cgroup ${h.mode === 'hybrid' ? 'v1 hybrid' : 'v1'} (one hierarchy per controller under ${h.root}${cpu})`;
}

/**
 * What `haco start` will do with this container on this host, in launch order — told from the launch spec
 * it would compile — plus what stays shared with the host. Throws what `haco start` would throw for a plan
 * this host cannot run (a missing controller, a namespace the kernel lacks).
 */
export function explainContainer(c: ContainerPlan, host: HostFacts): ContainerExplanation {
  const { steps, compiled } = explainSteps(c, host);
  const id = host.rootless ? currentIdentity() : undefined;
  const notices = id ? rootlessNotices(c, id, host.cgroup, host.rootless?.delegatedCgroup) : [];
  return { name: c.name, host: describeCgroupHost(host.cgroup), steps, sharing: sharingTable(c, compiled.cgroup, host.cgroup, apparmorSkip(c, host)), ...(notices.length ? { notices } : {}) };
}

/** Why the container's AppArmor profile is not applied on this host (undefined: applied, or none). */
function apparmorSkip(c: ContainerPlan, host: HostFacts): string | undefined {
  const d = decideAppArmor(c, host);
  return d.kind === 'skipped' ? d.reason : undefined;
}
