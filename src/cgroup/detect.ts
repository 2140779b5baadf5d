import * as fs from 'node:fs';
import * as path from 'node:path';
import { CgroupError } from '../errors';
import { V1_CONTROLLERS } from './controllers';
import { parseMountinfo, type MountInfoEntry } from '../procfs/mountinfo';
import { resolveCgroupRoot } from './root';
import type { CgroupHost, CgroupV1Host, CpusetValues } from './types';

export interface DetectCgroupOptions {
  /** Cgroup root; default `HACO_CGROUP_ROOT` or /sys/fs/cgroup. */
  root?: string;
  /** Text of a mountinfo file; default /proc/self/mountinfo. Mounts outside ROOT are ignored. */
  mountinfo?: string;
  env?: NodeJS.ProcessEnv;
}

function readTrimmed(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function isUnder(root: string, p: string): boolean {
  return p === root || p.startsWith(root + '/');
}

interface Layout {
  v2Path?: string;
  hierarchies: Record<string, string>;
  /** Every v1 hierarchy mount point → the options naming it (controllers, `name=`), when mountinfo tells. */
  v1Mounts?: Record<string, string[]>;
}

/** The layout as mountinfo tells it: authoritative on a real host. */
function layoutFromMounts(root: string, mounts: MountInfoEntry[]): Layout {
  const layout: Layout = { hierarchies: {} };
  for (const m of mounts) {
    if (!isUnder(root, m.mountPoint)) continue;
    if (m.fsType === 'cgroup2') {
      // Prefer the mount at ROOT itself (pure v2) over ROOT/unified (hybrid).
      if (layout.v2Path === undefined || m.mountPoint === root) layout.v2Path = m.mountPoint;
    } else if (m.fsType === 'cgroup') {
      for (const opt of m.superOptions) {
        if ((V1_CONTROLLERS as readonly string[]).includes(opt)) layout.hierarchies[opt] ??= m.mountPoint;
      }
      // What names the hierarchy again when it is mounted inside a cgroup namespace (compile-cgroupfs.ts).
      const naming = m.superOptions.filter((o) => (V1_CONTROLLERS as readonly string[]).includes(o) || o.startsWith('name='));
      if (naming.length > 0) (layout.v1Mounts ??= {})[m.mountPoint] ??= naming;
    }
  }
  return layout;
}

/**
 * The layout as the directory tree tells it, for trees mountinfo does not describe (a fake tree in a
 * test, a root given with HACO_CGROUP_ROOT): a v2 cgroup has cgroup.controllers, a v1 hierarchy is a
 * directory named after its controllers (`cpu,cpuacct`) holding cgroup.procs.
 */
function layoutFromTree(root: string): Layout {
  const layout: Layout = { hierarchies: {} };
  if (fs.existsSync(path.join(root, 'cgroup.controllers'))) return { ...layout, v2Path: root };
  let names: string[] = [];
  try {
    names = fs.readdirSync(root).sort();
  } catch {
    return layout;
  }
  for (const name of names) {
    const dir = path.join(root, name);
    if (fs.existsSync(path.join(dir, 'cgroup.controllers'))) {
      layout.v2Path ??= dir;
      continue;
    }
    if (!fs.existsSync(path.join(dir, 'cgroup.procs'))) continue;
    // Symlinks such as cpu -> cpu,cpuacct resolve to the same hierarchy; keep the real directory.
    const real = fs.realpathSync(dir);
    for (const ctrl of path.basename(real).split(',')) {
      if ((V1_CONTROLLERS as readonly string[]).includes(ctrl)) layout.hierarchies[ctrl] ??= path.join(root, path.basename(real));
    }
  }
  return layout;
}

function readCpuset(dir: string): CpusetValues | undefined {
  const cpus = readTrimmed(path.join(dir, 'cpuset.cpus'));
  const mems = readTrimmed(path.join(dir, 'cpuset.mems'));
  return cpus && mems ? { cpus, mems } : undefined;
}

function v1Facts(hierarchies: Record<string, string>, mounts: Record<string, string[]> | undefined): CgroupV1Host {
  const facts: CgroupV1Host = {
    hierarchies,
    ...(mounts ? { mounts } : {}),
    memswAvailable:
      hierarchies['memory'] !== undefined && fs.existsSync(path.join(hierarchies['memory'], 'memory.memsw.limit_in_bytes')),
  };
  const cpuset = hierarchies['cpuset'];
  if (cpuset !== undefined) {
    const rootValues = readCpuset(cpuset);
    if (rootValues) facts.cpusetRoot = rootValues;
    const hacoValues = readCpuset(path.join(cpuset, 'haco'));
    if (hacoValues) facts.cpusetHaco = hacoValues;
  }
  return facts;
}

/**
 * Find out how cgroups are mounted under ROOT and snapshot what the compiler needs (available controllers,
 * cpuset values to copy, swap accounting). Reads only; creates nothing.
 */
export function detectCgroupHost(options: DetectCgroupOptions = {}): CgroupHost {
  const root = resolveCgroupRoot(options.root, options.env);
  const mountinfo = options.mountinfo ?? readTrimmed('/proc/self/mountinfo') ?? '';
  let layout = layoutFromMounts(root, parseMountinfo(mountinfo));
  if (layout.v2Path === undefined && Object.keys(layout.hierarchies).length === 0) layout = layoutFromTree(root);

  const hasV1 = Object.keys(layout.hierarchies).length > 0;
  // A unified hierarchy alone (usually at ROOT; at ROOT/unified when v1 hierarchies were unmounted) is v2.
  if (layout.v2Path !== undefined && (layout.v2Path === root || !hasV1)) {
    const controllers = (readTrimmed(path.join(layout.v2Path, 'cgroup.controllers')) ?? '').split(/\s+/).filter(Boolean);
    return { mode: 'v2', root, v2: { path: layout.v2Path, controllers } };
  }
  if (hasV1) {
    const host: CgroupHost = { mode: layout.v2Path ? 'hybrid' : 'v1', root, v1: v1Facts(layout.hierarchies, layout.v1Mounts) };
    if (layout.v2Path) {
      const controllers = (readTrimmed(path.join(layout.v2Path, 'cgroup.controllers')) ?? '').split(/\s+/).filter(Boolean);
      host.v2 = { path: layout.v2Path, controllers };
    }
    return host;
  }
  throw new CgroupError(
    'E_CGROUP_NOT_FOUND',
    `no cgroup filesystem is mounted under ${root}`,
    root === '/sys/fs/cgroup'
      ? 'mount one: `mount -t cgroup2 none /sys/fs/cgroup` (inside a container, give it the host\'s /sys/fs/cgroup)'
      : `HACO_CGROUP_ROOT points at ${root}; unset it or point it at a cgroup mount`,
  );
}
