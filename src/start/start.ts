import { UsageError } from '../errors';
import { loadDefinition } from '../load/load';
import type { ContainerPlan, Plan } from '../plan/types';
import { compileLaunchSpec } from '../runtime/compile';
import { detectHostFacts } from '../runtime/host-facts';
import { findLauncher } from '../runtime/launcher-path';
import { handOver } from './handoff';
import { preflight } from './preflight';
import { sweepStaleCgroups } from './sweep';

export interface StartRequest {
  file: string;
  container?: string;
  /** Replaces the container's command. */
  command?: string[];
  trace: boolean;
}

/** Picks the container to start: the one named, or the only one in the file. */
export function pickContainer(plan: Plan, file: string, name: string | undefined): ContainerPlan {
  const names = plan.containers.map((c) => c.name);
  if (name !== undefined) {
    const found = plan.containers.find((c) => c.name === name);
    if (!found) throw new UsageError(`${file} has no container "${name}"`, `containers: ${names.join(', ')}`);
    return found;
  }
  if (plan.containers.length > 1) {
    throw new UsageError(`${file} defines ${plan.containers.length} containers: say which one`, `add --container ${names[0]} (containers: ${names.join(', ')})`);
  }
  return plan.containers[0]!;
}

/**
 * `haco start` in the foreground: plan → checks → launch spec → the launcher takes over.
 * Returns the exit status node should exit with (0 after a handoff: the launcher's own status is what
 * the user's shell sees, because the wrapper execs it).
 */
export async function startContainer(request: StartRequest): Promise<number> {
  const loaded = await loadDefinition(request.file);
  let container = pickContainer(loaded.plan, request.file, request.container);
  if (request.command) container = { ...container, process: { ...container.process, args: request.command } };
  preflight(container, request.file);
  const facts = detectHostFacts();
  sweepStaleCgroups(facts.cgroup, []);
  const spec = compileLaunchSpec(container, facts);
  const argv = [findLauncher(), ...(request.trace ? ['--trace'] : [])];
  return handOver(argv, spec.text);
}
