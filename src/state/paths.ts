import * as path from 'node:path';
import { UsageError } from '../errors';
import { isContainerName } from '../plan/names';

/** Where every container's state directory lives: /run/haco, or HACO_RUN_DIR (tests). */
export function runDir(): string {
  return process.env['HACO_RUN_DIR'] || '/run/haco';
}

/** NAME's state directory; a name that is not a container name (`../x`) never becomes a path. */
export function stateDirOf(name: string): string {
  if (!isContainerName(name)) throw new UsageError(`"${name}" is not a container name`, 'names are letters, digits, "-", "_" and "."; see them with `haco ps`');
  return path.join(runDir(), name);
}
