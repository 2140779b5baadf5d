import { detectCgroupHost } from '../cgroup/detect';
import type { ContainerPlan } from '../plan/types';
import { findDelegatedCgroup } from './delegation';
import { currentIdentity } from './identity';
import { rootlessNotices } from './notices';

/** `haco plan` as an ordinary user: each container's notices, prefixed with its name (none for root). */
export function planNotices(containers: readonly ContainerPlan[]): string[] {
  const id = currentIdentity();
  if (!id) return [];
  const host = detectCgroupHost();
  const delegated = findDelegatedCgroup(host, id.uid);
  return containers.flatMap((c) => rootlessNotices(c, id, host, delegated).map((n) => `${c.name}: ${n}`));
}
