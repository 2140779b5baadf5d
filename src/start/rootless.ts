import { stderrColours } from '../colour';
import type { ContainerPlan } from '../plan/types';
import type { HostFacts } from '../runtime/host-facts';
import { currentIdentity } from '../rootless/identity';
import { rootlessNotices } from '../rootless/notices';

/** `haco start` as an ordinary user: what the launch will not do, on stderr before it starts (docs/rootless.md). */
export function reportRootlessNotices(c: ContainerPlan, host: HostFacts): void {
  const id = currentIdentity();
  if (!id) return;
  const colour = stderrColours();
  for (const notice of rootlessNotices(c, id, host.cgroup, host.rootless?.delegatedCgroup)) process.stderr.write(`${colour.yellow('haco: notice (rootless):')} ${notice}\n`);
}
