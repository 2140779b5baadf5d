import * as fs from 'node:fs';
import * as path from 'node:path';
import { isatty } from 'node:tty';
import { writeCacheFile } from '../cache-file';
import { encodeWord, observationLine, type Observation } from '../observe/host-reads';
import { packageRoot } from '../package-root';

/**
 * The prepared launch of a warm `haco start` (docs/performance.md, "`haco start` without Node"): after a
 * start through Node, the launcher's command line and the launch spec Node handed over are kept in the
 * cache dir (`warm/KEY`, 0600, SHA-256 first like every cache file), with everything they were computed
 * from. The next identical command line is answered by the native front (native/src/front_warm.c), which
 * re-checks each line and execs the launcher without starting Node; one differing line and Node runs
 * (and writes the file again).
 *
 * What is checked: the command line and working directory; whether fds 0-2 are terminals and the euid;
 * haco's build (every file of dist/ and the launcher, by inode, size, mtime and ctime — a rebuild or an
 * install always changes the ctime; package.json by content); every input file of the definition's bundle
 * (SHA-256), what the definition read while evaluated (environment variables, files) and what the start
 * read (state dir, cgroups, rootfs lookups, host facts, environment variables): src/observe/host-reads.ts.
 */
export const WARM_FORMAT = 'haco-warm 1';

/** FNV-1a (64 bit) of the working directory and the arguments, each followed by a NUL: the file's name. */
export function warmKey(cwd: string, args: readonly string[]): string {
  let h = 0xcbf29ce484222325n;
  for (const part of [cwd, ...args]) {
    for (const byte of [...Buffer.from(part, 'utf8'), 0]) {
      h ^= BigInt(byte);
      h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
    }
  }
  return h.toString(16).padStart(16, '0');
}

/** dev:ino:size:mtime ns:ctime ns of one of haco's own files, `-` when missing. */
export function identityOf(file: string): string {
  try {
    const st = fs.statSync(file, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return '-';
  }
}

/** haco's build: the files of dist/ and the launcher (identity), package.json (content). */
function buildLines(launcher: string): string[] {
  const root = packageRoot();
  const dist = path.join(root, 'dist');
  const files = fs.readdirSync(dist).filter((f) => fs.statSync(path.join(dist, f)).isFile()).sort().map((f) => path.join(dist, f));
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const manifest = path.join(root, 'package.json');
  return [
    `read ${encodeWord(manifest)} ${createHash('sha256').update(fs.readFileSync(manifest)).digest('hex')}`,
    ...[...files, launcher].map((f) => `ident ${encodeWord(f)} ${identityOf(f)}`),
  ];
}

export interface WarmStart {
  /** The arguments haco was given (process.argv after the script). */
  args: readonly string[];
  /** The launcher's command line and the spec exactly as handed over on fd 3. */
  launcherArgv: readonly string[];
  handedSpec: string;
  observed: readonly Observation[];
}

/** Best effort: a cache dir that cannot be written only costs the next start its speed. */
export function writeWarmSpec(warm: WarmStart): void {
  try {
    const cwd = process.cwd();
    const lines = [
      WARM_FORMAT,
      `cwd ${encodeWord(cwd)}`,
      `argv ${warm.args.map(encodeWord).join(' ')}`,
      `tty ${[0, 1, 2].map((fd) => (isatty(fd) ? '1' : '0')).join(' ')}`,
      `euid ${process.geteuid?.() ?? -1}`,
      // Read by the Node path before the recorded part (the plan cache, where this file lives).
      ...['HACO_NO_CACHE', 'HACO_CACHE_DIR', 'HACO_LAUNCHER'].map((name) => `env ${name} ${process.env[name] === undefined ? '-' : encodeWord(process.env[name])}`),
      ...buildLines(warm.launcherArgv[0]!),
      ...warm.observed.map(observationLine),
      `launch ${warm.launcherArgv.map(encodeWord).join(' ')}`,
      'spec',
    ];
    writeCacheFile('warm', warmKey(cwd, warm.args), `${lines.join('\n')}\n${warm.handedSpec}`);
  } catch {
    // not prepared: the next start goes through Node again
  }
}
