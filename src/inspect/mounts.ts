import { parseMountinfo, type MountInfoEntry } from '../procfs/mountinfo';

/** One mount as the container sees it. */
export type MountEntry = MountInfoEntry;
export const parseMountTable = parseMountinfo;

/** The layers of an overlay mount, from its superblock options. */
export interface OverlayLayers {
  mountPoint: string;
  /** Read-only layers, top first (as in `lowerdir=top:…:bottom`). */
  lowerdir: string[];
  /** Where writes land; absent for a read-only overlay. */
  upperdir: string | null;
  workdir: string | null;
}

/**
 * Super options split on commas, except commas escaped with a backslash (overlayfs lets a layer path
 * contain one that way).
 */
function option(entry: MountEntry, key: string): string | undefined {
  const joined = entry.superOptions.join(',');
  for (const part of joined.split(/(?<!\\),/)) {
    if (part.startsWith(`${key}=`)) return part.slice(key.length + 1).replace(/\\,/g, ',');
  }
  return undefined;
}

/** The overlay layers of every overlay mount, the container's root first when it is one. */
export function overlayLayers(mounts: MountEntry[]): OverlayLayers[] {
  return mounts
    .filter((m) => m.fsType === 'overlay')
    .sort((a, b) => Number(b.mountPoint === '/') - Number(a.mountPoint === '/'))
    .map((m) => ({
      mountPoint: m.mountPoint,
      lowerdir: (option(m, 'lowerdir') ?? '').split(/(?<!\\):/).filter(Boolean),
      upperdir: option(m, 'upperdir') ?? null,
      workdir: option(m, 'workdir') ?? null,
    }));
}

/** Mount ids in tree order (parents before children) with their depth; mounts whose parent is not visible are roots. */
export function mountTree(mounts: MountEntry[]): Array<{ entry: MountEntry; depth: number }> {
  const ids = new Set(mounts.map((m) => m.id));
  const children = new Map<number, MountEntry[]>();
  for (const m of mounts) {
    const key = ids.has(m.parent) && m.parent !== m.id ? m.parent : -1;
    children.set(key, [...(children.get(key) ?? []), m]);
  }
  const out: Array<{ entry: MountEntry; depth: number }> = [];
  const walk = (parent: number, depth: number) => {
    for (const m of children.get(parent) ?? []) {
      out.push({ entry: m, depth });
      walk(m.id, depth + 1);
    }
  };
  walk(-1, 0);
  return out;
}
