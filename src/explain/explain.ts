import type { ContainerPlan } from '../plan/types';
import { sharingTable } from './sharing';
import { explainSteps } from './steps';
import type { ContainerExplanation } from './types';

export type { ContainerExplanation, ExplainPhase, ExplainStep, SharingRow } from './types';
export { renderExplanation, type ExplainStyle } from './render';

/** What `haco start` will do with this container, in launch order, plus what stays shared with the host. */
export function explainContainer(c: ContainerPlan): ContainerExplanation {
  return { name: c.name, steps: explainSteps(c), sharing: sharingTable(c) };
}
