// What the root tests that drive podman share (oci-export: exported images and Pods; oci-podman: haco as
// podman's runtime): podman's own storage under the test's temp dir, and a teardown that removes what
// podman made there — pods, containers, images, the libpod_parent cgroups it created, and conmon
// processes of that storage that a failed run may have left.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const CGROUP = '/sys/fs/cgroup';

/** Why podman cannot be used here, or undefined. */
export function podmanUnavailable(): string | undefined {
  return spawnSync('podman', ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : 'podman not found (apt-get install podman)';
}

/** podman's (and buildah's) storage options for a store of the test's own under DIR. */
export function podmanStorage(dir: string): string[] {
  return ['--root', path.join(dir, 'podman-root'), '--runroot', path.join(dir, 'podman-run'), '--storage-driver', 'vfs'];
}

/** The v1 hierarchies (or the v2 root) that hold podman's libpod_parent cgroup now. */
export function libpodParents(): string[] {
  return fs.readdirSync(CGROUP).filter((c) => fs.existsSync(path.join(CGROUP, c, 'libpod_parent')));
}

/** rmdir a cgroup and its children, deepest first (cgroup dirs hold files, so `find -empty` never matches). */
function removeCgroupTree(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroupTree(path.join(dir, e.name));
  fs.rmdirSync(dir);
}

/**
 * Removes what podman made in the store under DIR: pods, containers and images (best effort: the store goes
 * with the temp dir), the libpod_parent cgroups that were not there before (HAD: libpodParents() at the
 * start), and conmon processes of this store.
 */
export function podmanTeardown(podman: (args: string[]) => unknown, had: readonly string[], dir: string): void {
  for (const args of [['pod', 'rm', '--all', '--force'], ['rm', '--all', '--force'], ['rmi', '--all', '--force']]) {
    try {
      podman(args);
    } catch {
      // best effort: the storage is removed with the workspace
    }
  }
  for (const c of libpodParents().filter((c) => !had.includes(c))) removeCgroupTree(path.join(CGROUP, c, 'libpod_parent'));
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (cmd.startsWith('/usr/bin/conmon\0') && cmd.includes(dir)) process.kill(Number(pid), 'SIGKILL');
  }
}
