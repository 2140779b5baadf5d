import * as fs from 'node:fs';
import * as path from 'node:path';

/** One `deb` source as apt reads it (one-line or deb822 format). */
export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
  /** File it came from, for messages. */
  file: string;
}

/** Parses a one-line `sources.list` file: `deb [opts] URI SUITE COMPONENT…` (deb-src ignored). */
export function parseOneLineSources(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line.startsWith('deb ') && !line.startsWith('deb\t')) continue;
    const words = line
      .slice(3)
      .replace(/\[[^\]]*\]/, ' ')
      .trim()
      .split(/\s+/);
    const [uri, suite, ...components] = words;
    if (!uri || !suite) continue;
    out.push({ uri, suites: [suite], components, file });
  }
  return out;
}

/** Parses a deb822 `.sources` file: stanzas of `Types:`, `URIs:`, `Suites:`, `Components:`, `Enabled:`. */
export function parseDeb822Sources(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && last) {
        fields.set(last, `${fields.get(last)} ${raw.trim()}`);
        continue;
      }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
      if (m) {
        last = m[1]!.toLowerCase();
        fields.set(last, m[2]!.trim());
      }
    }
    const types = (fields.get('types') ?? '').split(/\s+/);
    if (!types.includes('deb') || (fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    const words = (key: string): string[] => (fields.get(key) ?? '').split(/\s+/).filter(Boolean);
    for (const uri of words('uris')) out.push({ uri, suites: words('suites'), components: words('components'), file });
  }
  return out;
}

/** Every enabled `deb` source of an apt configuration directory (default /etc/apt). */
export function readAptSources(aptDir = '/etc/apt'): AptSource[] {
  const sources: AptSource[] = [];
  const read = (file: string): string | undefined => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  const main = read(path.join(aptDir, 'sources.list'));
  if (main) sources.push(...parseOneLineSources(main, path.join(aptDir, 'sources.list')));
  const dir = path.join(aptDir, 'sources.list.d');
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    // no sources.list.d
  }
  for (const name of names) {
    // Only the two names apt itself reads: `*.list.disabled`, `*.save`, `*.dpkg-old` are ignored, as apt does.
    const file = path.join(dir, name);
    const text = name.endsWith('.list') || name.endsWith('.sources') ? read(file) : undefined;
    if (text === undefined) continue;
    sources.push(...(name.endsWith('.sources') ? parseDeb822Sources(text, file) : parseOneLineSources(text, file)));
  }
  return sources;
}

/**
 * The mirror debootstrap should use for `suite` when the definition names none: the host's own apt
 * mirror, which is reachable (and possibly the only thing that is) from this machine. A source that
 * carries the suite itself wins; otherwise the first main archive (not `-security`/`-updates`, not
 * third-party repositories that only hold their own suite names).
 */
export function findMirror(suite: string, sources: readonly AptSource[]): string | undefined {
  const archives = sources.filter((s) => !/security/.test(s.uri) && !s.suites.some((x) => /-security$/.test(x)));
  const exact = archives.find((s) => s.suites.includes(suite));
  if (exact) return exact.uri;
  const distro = archives.find((s) => s.suites.some((x) => /^[a-z]+(-updates|-backports)?$/.test(x)) && /\/(debian|ubuntu)\/?$/.test(s.uri));
  return distro?.uri;
}
