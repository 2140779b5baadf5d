import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { currentIdentity } from '../rootless/identity';
import { asContainerRoot } from '../rootless/userns-command';

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo, octal escapes decoded). */
export function mountsBelow(dir: string): string[] {
  let info: string;
  try {
    info = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const root = path.resolve(dir);
  const found: string[] = [];
  for (const line of info.split('\n')) {
    const field = line.split(' ')[4];
    if (!field) continue;
    const mountPoint = field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    if (mountPoint === root || mountPoint.startsWith(`${root}/`)) found.push(mountPoint);
  }
  return found.sort((a, b) => b.length - a.length);
}

/**
 * Removes a tree haco made, synchronously (it also runs from signal handlers). Anything still mounted
 * below it is detached first: a killed debootstrap can leave /proc mounted in its target, and a
 * recursive delete must never walk into a mounted host filesystem.
 */
export function removeTree(dir: string): void {
  for (const mountPoint of mountsBelow(dir)) {
    spawnSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
  }
  if (mountsBelow(dir).length > 0) {
    throw new Error(`refusing to delete ${dir}: something is still mounted below it`);
  }
  // chattr +i files (some rootfs tarballs carry them) would make rmSync fail half way; such trees are
  // left for the user with the error rather than forced.
  const id = currentIdentity();
  if (id?.fullRange && fs.existsSync(dir)) {
    // Rootless: files owned by the user's subordinate ids (a tarball's, what the container wrote) can only
    // be removed as the user namespace's root, which may act on every mapped id.
    const rm = asContainerRoot(['rm', '-rf', '--one-file-system', '--', dir]);
    const result = spawnSync(rm.command, rm.args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`removing ${dir} in the user namespace failed: ${(result.stderr || result.error?.message || '').trim()}`);
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
}
