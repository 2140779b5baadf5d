import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_STATE_ROOT, containerStateDir, stateRoot } from './state-root';
import { EXIT, HacoError } from '../errors';
import type { ContainerPlan } from '../plan/types';
import { HOST_MODES } from './paths';

/** A directory haco keeps on the host that it cannot trust (a symlink, another user's). */
export class HostDirError extends HacoError {
  constructor(message: string, hint: string) {
    super('E_HOST_DIR', message, { hint, exitCode: EXIT.state });
  }
}

/**
 * Make DIR (its parent must exist) or check it, as the launcher's `host-dir` step does for /run/haco: a real
 * directory (a symlink is refused, never followed), owned by us, with exactly MODE and, when given, group
 * GID. An existing looser directory is tightened, so an install from before these rules is fixed by the
 * next create or start. Returns true when it created DIR.
 */
export function ensureHostDir(dir: string, mode: number, gid?: number): boolean {
  let made = false;
  try {
    fs.mkdirSync(dir, { mode });
    made = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const st = fs.lstatSync(dir);
  if (st.isSymbolicLink() || !st.isDirectory()) {
    throw new HostDirError(`${dir} is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}: haco keeps root-only state there and follows no links`, `remove it (rm ${dir}) and run the command again`);
  }
  const uid = process.geteuid?.() ?? 0;
  if (st.uid !== uid) {
    throw new HostDirError(`${dir} is owned by uid ${st.uid}, not ${uid}: another user could change what haco keeps there`, `chown root:root ${dir} if it really is haco's, or remove it`);
  }
  if (gid !== undefined && st.gid !== gid) fs.chownSync(dir, uid, gid);
  if ((st.mode & 0o7777) !== mode || made) fs.chmodSync(dir, mode); // mkdir's mode went through the umask
  return made;
}

/**
 * The host gid a container's user namespace gives its first mapped group (what the launcher switches to
 * right after `release`, before it reaches the rootfs): it must be able to pass through the rootfs's home.
 */
export function mappedRootGid(c: ContainerPlan): number | undefined {
  if (!c.namespaces.unshare.includes('user')) return undefined;
  const map = c.namespaces.gidMap;
  const inside = map.some((e) => e.inside === 0) ? 0 : map[0]?.inside;
  if (inside === undefined) return undefined;
  const entry = map.find((e) => inside >= e.inside && inside < e.inside + e.count);
  return entry ? entry.outside + (inside - entry.inside) : undefined;
}

/**
 * The directory right under haco's state root that holds C's rootfs (`/var/lib/haco/NAME` for the default
 * `/var/lib/haco/NAME/rootfs`), or undefined when the rootfs lives elsewhere (the user's choice, which haco
 * does not chmod) or directly under the root (it is the container's `/`).
 */
export function containerHome(c: ContainerPlan): { root: string; home: string } | undefined {
  const rootfs = path.resolve(c.rootfs.path);
  for (const root of new Set([stateRoot(), DEFAULT_STATE_ROOT])) {
    const rel = path.relative(root, rootfs);
    const parts = rel.split(path.sep);
    if (rel.startsWith('..') || path.isAbsolute(rel) || parts.length < 2) continue;
    return { root, home: path.join(root, parts[0]!) };
  }
  return undefined;
}

/**
 * Close the way to C's rootfs for other users: the state root 0711 (they may pass, not list), the
 * container's home 0700 — or 0710 with the group its user namespace maps root to, which must reach the
 * rootfs — so a setuid binary in the rootfs cannot be run by a local user. `create: false` (haco start)
 * only tightens what exists. Returns the home when this call created it (a failed create removes it).
 */
export function secureContainerHome(c: ContainerPlan, options: { create: boolean }): string | undefined {
  const where = containerHome(c);
  if (!where) return undefined;
  if (!options.create && !fs.existsSync(where.home)) return undefined;
  fs.mkdirSync(path.dirname(where.root), { recursive: true });
  ensureHostDir(where.root, HOST_MODES.top);
  const gid = mappedRootGid(c);
  return ensureHostDir(where.home, gid === undefined ? HOST_MODES.private : HOST_MODES.mappedGroup, gid ?? 0) ? where.home : undefined;
}

/** The state root (/var/lib/haco), 0711 when haco makes it. */
export function ensureStateRoot(): string {
  const root = stateRoot();
  fs.mkdirSync(path.dirname(root), { recursive: true });
  if (!fs.existsSync(root)) ensureHostDir(root, HOST_MODES.top);
  return root;
}

/**
 * haco's host state for NAME outside any rootfs (provision records, debootstrap logs): the state root and
 * NAME's dir are made root-only when missing; existing ones are left as create/start set them.
 */
export function ensureStateHome(name: string): string {
  ensureStateRoot();
  const home = containerStateDir(name);
  if (!fs.existsSync(home)) ensureHostDir(home, HOST_MODES.private);
  return home;
}

/** A cache directory of haco's own (lxc templates, debootstrap packages): made root-only when missing. */
export function ensurePrivateCache(dir: string): void {
  if (fs.existsSync(dir)) return;
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: HOST_MODES.private });
  ensureHostDir(dir, HOST_MODES.private);
}
