import type { CgroupHost } from '../cgroup/types';
import type { ContainerPlan } from '../plan/types';
import { noCgroupReason, requestedLimits } from './cgroup';
import type { DelegatedCgroup } from './delegation';
import type { RootlessIdentity } from './identity';

/**
 * What a rootless start cannot do that the definition asks for, said in `haco start`, `haco plan` and
 * `haco explain` alike (never a silent drop). One home for the wording; docs/rootless.md has the table.
 */
export function rootlessNotices(c: ContainerPlan, id: RootlessIdentity, host: CgroupHost, delegated?: DelegatedCgroup): string[] {
  const notices: string[] = [];
  const who = id.user ?? String(id.uid);
  if (!id.fullRange) {
    notices.push(
      `single-id user namespace: ${id.singleReason}. Inside, only root exists (your uid ${id.uid} outside); ` +
        `su, chown to another user and package installs that drop privileges fail, and files owned by others show as nobody. ` +
        `A range fixes it: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${who}`,
    );
  }
  const limits = requestedLimits(c.cgroup);
  if (limits.length > 0 && !delegated) notices.push(`limits not applied: ${limits.join(', ')}, because ${noCgroupReason(host)}. Run it as root to have them`);
  return notices;
}
