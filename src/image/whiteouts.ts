import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * OCI layer whiteouts → overlayfs whiteouts, in a freshly extracted layer dir.
 *
 * Written by hand: no Debian tool turns one layer into an overlayfs lower (umoci 0.4 and skopeo only
 * unpack a whole image into one tree; containers/storage does it inside podman's own store). The rules
 * (image-spec layer.md):
 * - `.wh.NAME` deletes NAME of the lower layers → a character device 0/0 named NAME (overlayfs'
 *   whiteout), made with mknod(1);
 * - `.wh..wh..opq` in DIR hides everything the lower layers have in DIR. overlayfs marks that with a
 *   `trusted.overlay.opaque` xattr, which neither Node nor an installed tool can set (the `attr` package
 *   is not on the tool list); since layer dirs are keyed by their chain (the layer and every layer below
 *   it), the lower layers are known here, so the opaque dir gets a whiteout for each name the lowers have
 *   there (recursively for a sub dir this layer has too). overlayfs shows the same tree, and the layer
 *   works unchanged in a `userxattr` mount.
 * Entries are never followed through symlinks (lstat only).
 */
export interface WhiteoutResult {
  whiteouts: number;
  opaque: number;
}

const OPAQUE = '.wh..wh..opq';
const PREFIX = '.wh.';

export function convertWhiteouts(layer: string, lowersTopFirst: readonly string[]): WhiteoutResult {
  const whiteouts: string[] = [];
  const opaque: string[] = [];
  const walk = (rel: string): void => {
    const dir = path.join(layer, rel);
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    const names = new Set(entries.map((e) => e.name));
    for (const e of entries) {
      if (e.name === OPAQUE) {
        fs.unlinkSync(path.join(dir, e.name));
        opaque.push(rel);
      } else if (e.name.startsWith(PREFIX)) {
        fs.unlinkSync(path.join(dir, e.name));
        const name = e.name.slice(PREFIX.length);
        if (name === '' || name === '.' || name === '..' || name.includes('/')) continue;
        const own = entries.find((o) => o.name === name);
        // The layer deletes NAME below and adds its own: a dir must then not merge with the lower one.
        if (own?.isDirectory()) opaque.push(path.join(rel, name));
        else if (!own) whiteouts.push(path.join(rel, name));
      }
    }
    for (const e of entries) if (e.isDirectory() && names.has(e.name) && !e.name.startsWith(PREFIX)) walk(path.join(rel, e.name));
  };
  walk('');
  const hide = (rel: string): void => {
    const own = new Map(fs.readdirSync(path.join(layer, rel), { withFileTypes: true }).map((e) => [e.name, e]));
    const below = new Set<string>();
    for (const lower of lowersTopFirst) {
      if (realDirInside(lower, rel)) for (const name of fs.readdirSync(path.join(lower, rel))) below.add(name);
    }
    for (const name of below) {
      const mine = own.get(name);
      if (!mine) whiteouts.push(path.join(rel, name));
      else if (mine.isDirectory()) hide(path.join(rel, name));
    }
  };
  for (const rel of opaque) hide(rel);
  const unique = [...new Set(whiteouts)];
  for (const rel of unique) makeWhiteout(path.join(layer, rel));
  return { whiteouts: unique.length, opaque: new Set(opaque).size };
}

/** True if REL is a directory in ROOT reached through directories only (no symlink on the way). */
export function realDirInside(root: string, rel: string): boolean {
  let at = root;
  for (const part of rel.split('/').filter((p) => p !== '' && p !== '.')) {
    at = path.join(at, part);
    try {
      if (!fs.lstatSync(at).isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** overlayfs' whiteout: a character device with device number 0/0. */
export function isWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

function makeWhiteout(file: string): void {
  const r = spawnSync('mknod', ['--', file, 'c', '0', '0'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mknod ${file} c 0 0 failed: ${(r.stderr || r.error?.message || '').trim()}`);
}
