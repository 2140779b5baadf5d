import { HacoError } from '../errors';
import type { Plan } from '../plan/types';

/** The launch spec of one container of the plan, as `haco plan --launch` prints it. */
export async function renderLaunchSpecFor(plan: Plan, container: string | undefined): Promise<string> {
  void plan;
  void container;
  throw new HacoError('E_NOT_READY', 'the launch spec compiler is not wired in yet');
}
