import { UsageError } from '../errors';
import { networkPreflight } from '../network/preflight';
import { applyToggles, hasToggles, type Toggles } from '../plan/toggles';
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
  /** Command-line switches (`--share pid --cpu 30%`…) applied to the plan for this start only. */
  toggles?: Toggles;
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
 * `haco start` in the foreground, from an evaluated plan: checks → launch spec → the launcher takes
 * over. Returns the status node should exit with (0 after a handoff: the user's shell then sees the
 * launcher's own status, because the wrapper execs it). Kept free of the loader so the fast path can
 * start from a cached plan without loading esbuild or oclif.
 */
export async function startFromPlan(plan: Plan, request: StartRequest): Promise<number> {
  let container = pickContainer(plan, request.file, request.container);
  if (request.toggles && hasToggles(request.toggles)) container = applyToggles(container, request.toggles);
  if (request.command) container = { ...container, process: { ...container.process, args: request.command } };
  preflight(container, request.file);
  await networkPreflight(container);
  const facts = detectHostFacts();
  sweepStaleCgroups(facts.cgroup, []);
  const spec = compileLaunchSpec(container, facts);
  return handOver([findLauncher(), ...(request.trace ? ['--trace'] : [])], spec.text);
}
