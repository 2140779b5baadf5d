import * as fs from 'node:fs';
import { criuSupport, type CriuSupport } from '../checkpoint/criu-check';
import * as os from 'node:os';
import { detectCgroupHost } from '../cgroup/detect';
import { listStaleCgroups } from '../cgroup/stale';
import type { CgroupHost } from '../cgroup/types';
import { HacoError } from '../errors';
import { compilerHasHeader, LAUNCHER_BUILD_TOOLS } from '../host/launcher-build';
import { toolStatuses, type ToolStatus } from '../host/tools';
import type { ToolName } from '../host/tool-manifest';
import { lxcfsStatus, type LxcfsStatus } from '../lxcfs/daemon';
import { locateLauncher, type LauncherLocation } from '../runtime/launcher-path';
import { findDelegatedCgroup, type DelegatedCgroup } from '../rootless/delegation';

/**
 * Everything `haco doctor` looks at, read once up front: the checks (checks.ts) are a pure function of
 * it, so unit tests can describe any host (an Ubuntu 24.04 laptop, a cgroup v1 server) without one.
 */
export interface HostProbe {
  uid: number;
  user: string;
  /** `6.1.0-13-amd64`. */
  kernelRelease: string;
  /** `20.11.1`. */
  nodeVersion: string;
  /** Reads a small /proc, /sys or /etc file; undefined when it does not exist or cannot be read. */
  read(file: string): string | undefined;
  exists(file: string): boolean;
  /** May this process write the file (a cgroup's cgroup.subtree_control: delegation)? */
  writable(file: string): boolean;
  cgroup: CgroupHost | HacoError;
  /** Empty haco cgroups no process uses (left by killed launchers), deepest first; absent: not looked. */
  staleCgroups?: string[];
  tools: ToolStatus[];
  launcher: LauncherLocation | HacoError;
  /** Build tools the launcher needs that this host lacks. */
  missingBuildTools: ToolName[];
  /** The v2 subtree delegated to this user that a rootless start uses (null: none); absent: not looked. */
  delegatedCgroup?: DelegatedCgroup | null;
  /** lxcfs at its default mountpoint (for `.lxcfs()`); absent: not looked. */
  lxcfs?: LxcfsStatus | HacoError;
  /** `criu check` (root only: criu needs it); absent: not looked. */
  criu?: CriuSupport;
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function attempt<T>(fn: () => T): T | HacoError {
  try {
    return fn();
  } catch (error) {
    if (error instanceof HacoError) return error;
    return new HacoError('E_DOCTOR', (error as Error).message);
  }
}

function cgroupFacts(): Pick<HostProbe, 'cgroup' | 'staleCgroups' | 'delegatedCgroup'> {
  const cgroup = attempt(() => detectCgroupHost());
  if (cgroup instanceof HacoError) return { cgroup };
  const stale = attempt(() => listStaleCgroups(cgroup, []));
  // The same search a rootless start makes (src/rootless/delegation.ts), so doctor names the same subtree.
  const delegatedCgroup = findDelegatedCgroup(cgroup, process.getuid?.() ?? 0) ?? null;
  return { cgroup, delegatedCgroup, ...(stale instanceof HacoError ? {} : { staleCgroups: stale }) };
}

/** This machine, as haco doctor sees it. Reads only. */
export function probeHost(): HostProbe {
  let user = String(process.getuid?.() ?? 0);
  try {
    user = os.userInfo().username;
  } catch {
    // a uid without a passwd entry: keep the number
  }
  const tools = toolStatuses((header) => compilerHasHeader(header));
  return {
    uid: process.getuid?.() ?? 0,
    user,
    kernelRelease: (read('/proc/sys/kernel/osrelease') ?? os.release()).trim(),
    nodeVersion: process.versions.node,
    ...(process.getuid?.() === 0 ? { criu: criuSupport() } : {}),
    read,
    exists: (file) => fs.existsSync(file),
    writable: (file) => {
      try {
        fs.accessSync(file, fs.constants.W_OK);
        return true;
      } catch {
        return false;
      }
    },
    ...cgroupFacts(),
    tools,
    launcher: attempt(() => locateLauncher()),
    lxcfs: attempt(() => lxcfsStatus()),
    missingBuildTools: tools.filter((t) => !t.found && (LAUNCHER_BUILD_TOOLS as readonly string[]).includes(t.entry.name)).map((t) => t.entry.name as ToolName),
  };
}
