import { UsageError } from '../errors';
import { listStates, type LiveStatus } from '../state';

/** Which containers `--all` means for a command: the ones it can act on, never an error per container. */
export const ALL_OF: Record<'stoppable' | 'removable', readonly LiveStatus[]> = {
  stoppable: ['starting', 'running', 'restarting'],
  removable: ['exited', 'stale'],
};

/**
 * The container names a kill/stop/rm acts on: the NAMEs given, or with `--all` every container whose
 * state fits (one listing of the run dir). Both, or neither, is a usage error.
 */
export function selectTargets(names: readonly string[], all: boolean, kind: keyof typeof ALL_OF): string[] {
  if (all && names.length > 0) throw new UsageError('give container names or --all, not both', 'e.g. `haco kill --all`, or `haco kill web db`');
  if (!all && names.length === 0) throw new UsageError('which container(s)?', 'give one or more names, or --all (see `haco ps`)');
  if (!all) return [...names];
  const fits = new Set(ALL_OF[kind]);
  return listStates()
    .filter((s) => fits.has(s.status))
    .map((s) => s.name);
}
