import { UsageError } from '../errors';
import type { ContainerPlan, Plan } from './types';

/** The containers a command works on: all of the file's, or the one `-c NAME` picked. */
export function pickContainers(plan: Plan, file: string, name: string | undefined): ContainerPlan[] {
  if (name === undefined) return plan.containers;
  const found = plan.containers.find((c) => c.name === name);
  if (!found) throw new UsageError(`${file} has no container "${name}"`, `containers: ${plan.containers.map((c) => c.name).join(', ')}`);
  return [found];
}

/** The one container a command needs: the one named, or the only one in the file. */
export function pickContainer(plan: Plan, file: string, name: string | undefined): ContainerPlan {
  const picked = pickContainers(plan, file, name);
  if (picked.length > 1) {
    const names = picked.map((c) => c.name);
    throw new UsageError(`${file} defines ${picked.length} containers: say which one`, `add --container ${names[0]} (containers: ${names.join(', ')})`);
  }
  return picked[0]!;
}
