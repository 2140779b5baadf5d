import type { NetworkPlan } from '../plan/types';
import type { SpecEntry } from './spec-format';
import type { StepName } from './steps';
import { networkCleanupCommands, networkWireCommands } from '../network/commands';
import { DEFAULT_NETWORK_TOOLS, type NetworkTools } from '../network/tools';

/** The network's launch-spec entries, each command preceded by a learner comment saying why. */
export interface NetworkSpecEntries {
  /** `hook` steps for the wire phase (between `spawn` and `release`). */
  wire: SpecEntry<StepName>[];
  /** `cleanup-cmd` steps (metadata, anywhere before `spawn`). */
  cleanup: SpecEntry<StepName>[];
}

/**
 * The container's network as launch-spec entries, ready to append in order: the compiler puts `wire`
 * in phase 2 and `cleanup` with the other cleanup metadata. OWNER: the container's name (see src/plan/net-names.ts).
 */
export function networkSpecEntries(net: NetworkPlan, owner: string, tools: NetworkTools = DEFAULT_NETWORK_TOOLS): NetworkSpecEntries {
  const wire: SpecEntry<StepName>[] = [{ kind: 'comment', text: `network: bridge ${net.bridge}, veth ${net.vethHost} ↔ ${net.vethGuest} ${net.address} (docs/network.md)` }];
  for (const c of networkWireCommands(net, owner, tools)) wire.push({ kind: 'comment', text: c.why }, { kind: 'step', step: 'hook', fields: c.argv });
  const cleanup: SpecEntry<StepName>[] = [];
  for (const c of networkCleanupCommands(net, owner, tools)) cleanup.push({ kind: 'comment', text: c.why }, { kind: 'step', step: 'cleanup-cmd', fields: c.argv });
  return { wire, cleanup };
}
