import * as path from 'node:path';
import { UsageError } from '../errors';
import { CONTAINER_NAME_PATTERN } from '../plan/names';

/**
 * Where `haco runtime` keeps its containers' state: one directory per id, apart from `haco start`'s
 * /run/haco so `haco ps` and `haco runtime` never see each other's entries. Engines pass their own
 * (`podman --runtime … ` gives `--root`).
 */
export const DEFAULT_OCI_ROOT = '/run/haco-oci';


/** An id becomes a directory and the container's name (its cgroup directory): a haco container name. */
export function checkId(id: string): string {
  if (!CONTAINER_NAME_PATTERN.test(id)) throw new UsageError(`container id "${id}" is not allowed`, 'use 1-63 letters, digits, "_", "." or "-", starting with a letter or digit');
  return id;
}

export function ociStateDir(root: string, id: string): string {
  return path.join(path.resolve(root), checkId(id));
}

/** The fifo the supervisor of a created container waits on (the launcher's `wait-start` step makes it). */
export function startFifoOf(stateDir: string): string {
  return path.join(stateDir, 'start.fifo');
}
