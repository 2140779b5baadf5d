import type { V1SelfMove } from '../cgroup/types';
import type { SpecWriter } from './spec-writer';

/**
 * cgroup v1: `spawn-cgroup PATH MOUNT CONTROLLER` per cgroup the child is born in (read by `spawn`): the
 * launcher moves itself into each PATH (0 into tasks: no migration lock), clones the child there, and
 * returns to its own cgroup of that hierarchy (native/src/cgroup_move.c). Used by start and attach.
 */
export function emitSpawnCgroups(w: SpecWriter, moves: readonly V1SelfMove[]): void {
  for (const m of moves) w.step('spawn-cgroup', m.dir, m.mount, m.controller);
}
