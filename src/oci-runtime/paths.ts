import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { CONTAINER_NAME_PATTERN } from '../plan/names';

/**
 * Where `haco runtime` keeps its containers' state: one directory per id, apart from `haco start`'s
 * /run/haco so `haco ps` and `haco runtime` never see each other's entries. Engines pass their own
 * (`podman --runtime … ` gives `--root`).
 */
export const DEFAULT_OCI_ROOT = '/run/haco-oci';


/**
 * What an OCI id may be: a directory name under --root. Longer than a haco name (podman's ids are 64
 * hex digits), the same characters.
 */
const OCI_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,199}$/;

export function checkId(id: string): string {
  if (!OCI_ID_PATTERN.test(id)) throw new UsageError(`container id "${id}" is not allowed`, 'use 1-200 letters, digits, "_", "." or "-", starting with a letter or digit');
  return id;
}

/**
 * The haco container name of an id (its cgroup directory, its name in traces): the id itself when it
 * is a haco name; a longer id keeps its first 50 characters and a hash of the whole, so two ids never share one.
 */
export function containerNameOf(id: string): string {
  if (CONTAINER_NAME_PATTERN.test(id)) return id;
  return `${id.slice(0, 50)}-${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
}

export function ociStateDir(root: string, id: string): string {
  return path.join(path.resolve(root), checkId(id));
}

/** The fifo the supervisor of a created container waits on (the launcher's `wait-start` step makes it). */
export function startFifoOf(stateDir: string): string {
  return path.join(stateDir, 'start.fifo');
}
