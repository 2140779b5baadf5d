/** One line of /proc/PID/mountinfo (proc(5)), as the process sees its mounts. */
export interface MountEntry {
  id: number;
  parent: number;
  /** Where it is mounted, relative to the process's root (so `/` is the container's root). */
  mountPoint: string;
  /** The part of the source filesystem that is mounted here (`/null` for a bind of /dev/null). */
  root: string;
  fsType: string;
  /** The mount source (device, `overlay`, `tmpfs`…). */
  source: string;
  /** Per-mount options (ro, nosuid, relatime…). */
  options: string[];
  /** Per-superblock options (size=, lowerdir=…). */
  superOptions: string[];
}

/** The layers of an overlay mount, from its superblock options. */
export interface OverlayLayers {
  mountPoint: string;
  /** Read-only layers, top first (as in `lowerdir=top:…:bottom`). */
  lowerdir: string[];
  /** Where writes land; absent for a read-only overlay. */
  upperdir: string | null;
  workdir: string | null;
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeOctal(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountTable(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    // Optional fields (shared:N, master:N) end with a lone "-"; type, source and super options follow.
    const dash = f.indexOf('-', 6);
    if (f.length < 7 || dash < 0) continue;
    out.push({
      id: Number(f[0]),
      parent: Number(f[1]),
      root: unescapeOctal(f[3]!),
      mountPoint: unescapeOctal(f[4]!),
      options: f[5]!.split(','),
      fsType: f[dash + 1] ?? '',
      source: unescapeOctal(f[dash + 2] ?? ''),
      superOptions: (f[dash + 3] ?? '').split(',').filter(Boolean),
    });
  }
  return out;
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
