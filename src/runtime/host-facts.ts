import * as fs from 'node:fs';
import { detectCgroupHost, type DetectCgroupOptions } from '../cgroup/detect';
import type { CgroupHost } from '../cgroup/types';
import { findDelegatedCgroup, type DelegatedCgroup } from '../rootless/delegation';
import { currentIdentity, ID_MAP_HELPERS } from '../rootless/identity';

/** Kernel features the compiler checks before emitting a step the kernel would reject. */
export interface KernelFeatures {
  /** time_namespaces(7), Linux 5.6+. */
  timeNamespace: boolean;
  /** cgroup_namespaces(7), Linux 4.6+. */
  cgroupNamespace: boolean;
  userNamespace: boolean;
  /** seccomp filters (CONFIG_SECCOMP_FILTER). */
  seccomp: boolean;
  /** clone3(CLONE_INTO_CGROUP), Linux 5.7+: a child born in its cgroup v2 group instead of moved there. */
  cloneIntoCgroup: boolean;
  /** AppArmor is built in and enabled (/sys/module/apparmor/parameters/enabled is Y). Absent = no. */
  apparmor?: boolean;
}

export type HostPathKind = 'file' | 'directory' | 'missing' | 'other';

/**
 * Everything the compiler needs to know about the machine, gathered up front so that compileLaunchSpec
 * is a pure function of (container, facts) and unit tests can describe any host.
 */
export interface HostFacts {
  cgroup: CgroupHost;
  /** Real uid of whoever runs haco: some defaults and hints differ for root. */
  uid: number;
  kernel: KernelFeatures;
  /** What a host path is (bind sources: a file needs the `file` flag). Absent = assume a directory. */
  pathKind?: (hostPath: string) => HostPathKind;
  /** Set when haco runs as an ordinary user (docs/rootless.md). */
  rootless?: RootlessFacts;
  /** fuse-overlayfs and /dev/fuse (a layered rootfs mounted through FUSE). Absent: neither usable. */
  fuse?: FuseFacts;
}

export interface FuseFacts {
  /** Path of fuse-overlayfs, when installed. */
  program?: string;
  /** /dev/fuse: `ok` when the caller can open it read-write. */
  device: 'ok' | 'missing' | 'denied';
}

/** How a rootless launch differs: no cgroup of its own, maps through the setuid helpers, overlay with userxattr. */
export interface RootlessFacts {
  /** The maps cover subordinate ranges: newuidmap/newgidmap write them (the user alone may map only their own id). */
  fullRange: boolean;
  helpers: { uid: string; gid: string };
  /** Linux 5.11+: overlayfs mounts inside a user namespace (with `userxattr`). */
  userOverlay: boolean;
  /** A cgroup v2 subtree delegated to the user (src/rootless/delegation.ts): limits apply there. */
  delegatedCgroup?: DelegatedCgroup;
}

function statKind(hostPath: string): HostPathKind {
  try {
    const st = fs.statSync(hostPath);
    return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

/** The running kernel's release (`6.1.0-13-cloud-amd64`) is at least MAJOR.MINOR. */
function kernelAtLeast(major: number, minor: number): boolean {
  try {
    const m = /^(\d+)\.(\d+)/.exec(fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8'));
    return m !== null && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
  } catch {
    return false;
  }
}

/** AppArmor is built in and enabled in this kernel. */
export function apparmorEnabled(): boolean {
  try {
    return fs.readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    return false;
  }
}

/** Detect the facts of the machine haco runs on (reads /proc and the cgroup root; changes nothing). */
export function detectHostFacts(options: { cgroup?: DetectCgroupOptions } = {}): HostFacts {
  const exists = (p: string) => fs.existsSync(p);
  const cgroup = detectCgroupHost(options.cgroup);
  return {
    cgroup,
    uid: process.getuid?.() ?? 0,
    kernel: {
      timeNamespace: exists('/proc/self/ns/time'),
      cgroupNamespace: exists('/proc/self/ns/cgroup'),
      userNamespace: exists('/proc/self/ns/user'),
      seccomp: exists('/proc/sys/kernel/seccomp/actions_avail'),
      cloneIntoCgroup: kernelAtLeast(5, 7),
      apparmor: apparmorEnabled(),
    },
    pathKind: statKind,
    fuse: fuseFacts(),
    ...rootlessFacts(cgroup),
  };
}

function fuseFacts(): FuseFacts {
  const program = '/usr/bin/fuse-overlayfs';
  let device: FuseFacts['device'] = 'ok';
  try {
    fs.accessSync('/dev/fuse', fs.constants.R_OK | fs.constants.W_OK);
  } catch (e) {
    device = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'denied';
  }
  return { ...(fs.existsSync(program) ? { program } : {}), device };
}

function rootlessFacts(cgroup: CgroupHost): { rootless?: RootlessFacts } {
  const id = currentIdentity();
  if (!id) return {};
  const delegatedCgroup = findDelegatedCgroup(cgroup, id.uid);
  return { rootless: { fullRange: id.fullRange, helpers: ID_MAP_HELPERS, userOverlay: kernelAtLeast(5, 11), ...(delegatedCgroup ? { delegatedCgroup } : {}) } };
}
