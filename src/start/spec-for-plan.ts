import type { Plan } from '../plan/types';
import { compileLaunchSpec } from '../runtime/compile';
import { detectHostFacts } from '../runtime/host-facts';
import { pickContainer } from '../plan/pick';
import { createSeccompCacheDir, seccompCacheDir } from './seccomp-cache';

/** The launch spec of one container of the plan, for this host, as `haco plan --launch` prints it. */
export async function renderLaunchSpecFor(plan: Plan, container: string | undefined): Promise<string> {
  const picked = pickContainer(plan, plan.source, container);
  const facts = detectHostFacts();
  createSeccompCacheDir();
  const seccompCache = seccompCacheDir(picked, facts);
  return compileLaunchSpec(picked, facts, seccompCache ? { seccompCache } : {}).text;
}
