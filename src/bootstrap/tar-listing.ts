/**
 * Safety check of a tar listing before anything is extracted. The listing comes from
 * `tar -tv --quoting-style=c`, where every name is a C string in double quotes, so names with spaces
 * or " -> " in them cannot be confused with a link target.
 */

export interface TarEntry {
  /** First letter of the mode column: - d l h c b p s. `h` = hard link. */
  type: string;
  name: string;
  /** Symlink or hard-link target. */
  link?: string;
}

export interface TarProblem {
  entry: string;
  reason: string;
}

/** Parses one `tar -tv --quoting-style=c` line; undefined for lines it does not understand. */
export function parseListingLine(line: string): TarEntry | undefined {
  const mode = line.slice(0, 10);
  if (!/^[-dlhcbpsCDMV][-rwxsStT]{9}/.test(mode)) return undefined;
  const quoted = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => unquoteC(m[1]!));
  if (quoted.length === 0) return undefined;
  let type = mode[0]!;
  // GNU tar marks hard links with "-" and the words "link to".
  if (type === '-' && /" link to "/.test(line)) type = 'h';
  const entry: TarEntry = { type, name: quoted[0]! };
  if ((type === 'l' || type === 'h') && quoted.length > 1) entry.link = quoted[1]!;
  return entry;
}

function unquoteC(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, esc: string) => {
    if (esc[0] === 'x') return String.fromCharCode(parseInt(esc.slice(1), 16));
    if (/^[0-7]/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
    return ({ n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', b: '\b', a: '\x07', '\\': '\\', '"': '"' } as Record<string, string>)[esc] ?? esc;
  });
}

/** `./a//b/` → `a/b`; keeps `..` components so they can be refused. */
export function normalizeEntryName(name: string): string {
  return name
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

/**
 * Everything that could make extraction write outside the rootfs:
 * - absolute names (`/etc/passwd`) and `..` components (`../../etc/cron.d/x`);
 * - hard links to absolute or `..` paths (link(2) would hard-link a host file into the rootfs);
 * - entries, or hard-link targets, *below* a symlink the archive itself creates (`x -> /etc` then
 *   `x/passwd` writes the host's /etc/passwd when the extractor follows the link).
 * Symlinks themselves may point anywhere (absolute targets are normal in a rootfs: they resolve
 * inside the container).
 */
export function findTarProblems(entries: readonly TarEntry[]): TarProblem[] {
  const problems: TarProblem[] = [];
  const symlinks = new Set<string>();
  const belowSymlink = (name: string): string | undefined => {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (symlinks.has(prefix)) return prefix;
    }
    return undefined;
  };
  for (const entry of entries) {
    const raw = entry.name;
    const name = normalizeEntryName(raw);
    if (raw.startsWith('/')) problems.push({ entry: raw, reason: 'absolute path' });
    else if (name.split('/').includes('..')) problems.push({ entry: raw, reason: 'path with ".." leaves the rootfs' });
    else {
      const via = belowSymlink(name);
      if (via) problems.push({ entry: raw, reason: `written through the symlink "${via}" of the same archive` });
    }
    if (entry.type === 'h' && entry.link !== undefined) {
      const target = normalizeEntryName(entry.link);
      if (entry.link.startsWith('/')) problems.push({ entry: raw, reason: `hard link to the absolute path ${entry.link}` });
      else if (target.split('/').includes('..')) problems.push({ entry: raw, reason: `hard link to ${entry.link}, outside the rootfs` });
      else if (belowSymlink(target)) problems.push({ entry: raw, reason: `hard link through the symlink "${belowSymlink(target)}"` });
    }
    if (entry.type === 'l') symlinks.add(name);
  }
  return problems;
}
