import * as path from 'node:path';
import { HACO_CGROUP_PARENT } from './types';

/**
 * Where a container's cgroup sits in a hierarchy, relative to its root: `haco/NAME` by default; with the
 * plan's `cgroup.path` (OCI linux.cgroupsPath) `/a/b` is `a/b` from the root and `a/b` is `haco/a/b`
 * (the runtime-spec leaves a relative path's base to the runtime). `parents`: the directories above the
 * leaf that may have to be made, shallowest first (the hierarchy's root itself never).
 */
export interface CgroupPlace {
  leaf: string;
  parents: string[];
}

export function cgroupPlace(name: string, custom: string | undefined): CgroupPlace {
  const leaf = custom === undefined ? path.posix.join(HACO_CGROUP_PARENT, name) : custom.startsWith('/') ? custom.replace(/^\/+/, '') : path.posix.join(HACO_CGROUP_PARENT, custom);
  const parts = leaf.split('/').filter(Boolean);
  return { leaf: parts.join('/'), parents: parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/')) };
}
