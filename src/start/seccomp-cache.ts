import * as path from 'node:path';
import { cacheRoot } from '../cache-dir';
import { cacheDir } from '../cache-file';
import type { ContainerPlan } from '../plan/types';
import type { HostFacts } from '../runtime/host-facts';

/**
 * The dir where the launcher keeps a container's seccomp filter as BPF (`seccomp-prepared`,
 * CACHE/seccomp/HASH.bpf; compile.ts names the file): libseccomp's build of the default profile is ~2.5 ms
 * of every launch. As root only: the launcher trusts the file only in a directory of its euid that nobody
 * else can write (root's private cache dir); a rootless launch builds its filter each time. HACO_NO_CACHE=1
 * turns it off like the plan cache. The same answer for `haco start` and `haco plan --launch`, so the
 * printed spec is the one a start hands over.
 */
export function seccompCacheDir(container: ContainerPlan, facts: HostFacts): string | undefined {
  if (!container.seccomp || facts.rootless || facts.uid !== 0 || !wanted()) return undefined;
  // Not even looked at here: the launcher decides whether the dir is trusted (and builds the filter when
  // not), and a warm start's recording would otherwise keep the dir's mtime, which each new file moves.
  return path.join(cacheRoot(), SUB);
}

const SUB = 'seccomp';

const wanted = () => process.getuid?.() === 0 && process.env['HACO_NO_CACHE'] !== '1';

/** Creates the dir (0700) when missing; called before a start's host reads are recorded, never during. */
export function createSeccompCacheDir(): void {
  if (wanted()) cacheDir(SUB, true);
}
