import type * as ChildProcess from 'node:child_process';
import type * as Crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheRoot } from '../cache-dir';
import { EXIT, HacoError } from '../errors';
import { findTool, installHint } from './tools';
import type { ToolName } from './tool-manifest';

/**
 * An installed haco package carries the launcher's C sources, not a binary: npm 11 does not run a
 * dependency's install scripts unless the user allows them, and a binary built elsewhere may not match
 * this host's libc and libseccomp. So the first command that needs the launcher builds it with the
 * package's own native/Makefile into the cache dir, keyed by a hash of the sources: a new haco version
 * builds its own, and nothing is ever written into the (possibly read-only, root-owned) package.
 */

// Loaded when used: `haco start` finds its launcher on the hot path, which stays free of both.
const childProcess = () => require('node:child_process') as typeof ChildProcess;
const createHash = (algorithm: string) => (require('node:crypto') as typeof Crypto).createHash(algorithm);

/** What building the launcher needs from the host (entries of the tool manifest). */
export const LAUNCHER_BUILD_TOOLS: readonly ToolName[] = ['cc', 'make', 'seccomp.h'];

/** Hash of native/Makefile and native/src/*: the cache key. Undefined when the package has no sources. */
export function launcherSourcesKey(root: string): string | undefined {
  const native = path.join(root, 'native');
  let files: string[];
  try {
    files = ['Makefile', ...fs.readdirSync(path.join(native, 'src')).sort().map((f) => path.join('src', f))];
  } catch {
    return undefined;
  }
  const hash = createHash('sha256');
  for (const f of files) {
    try {
      hash.update(`${f}\0`).update(fs.readFileSync(path.join(native, f)));
    } catch {
      return undefined;
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Where the launcher built from these sources lives (whether or not it is built yet). */
export function cachedLauncherPath(key: string, cacheDir = cacheRoot()): string {
  return path.join(cacheDir, 'launcher', key, 'haco-launch');
}

/**
 * The launcher may run as root: refuse a cached one that someone else could have replaced (owned by
 * another user, or writable by group or others, the file or its directory).
 */
export function untrustedReason(file: string): string | undefined {
  const uid = process.geteuid?.() ?? 0;
  for (const p of [file, path.dirname(file)]) {
    const st = fs.statSync(p);
    if (st.uid !== uid && st.uid !== 0) return `${p} belongs to uid ${st.uid}, not to this user (uid ${uid})`;
    if ((st.mode & 0o022) !== 0) return `${p} is writable by group or others (mode ${(st.mode & 0o777).toString(8)})`;
  }
  return undefined;
}

/** Does the C compiler find this header? (The one manifest kind PATH cannot answer.) */
export function compilerHasHeader(header: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const cc = findTool('cc', env);
  if (!cc) return false;
  const r = childProcess().spawnSync(cc, ['-E', '-x', 'c', '-'], { input: `#include <${header}>\n`, stdio: ['pipe', 'ignore', 'ignore'], env });
  return r.status === 0;
}

/** The build tools this host lacks. */
export function missingBuildTools(env: NodeJS.ProcessEnv = process.env): ToolName[] {
  const missing = LAUNCHER_BUILD_TOOLS.filter((t) => t !== 'seccomp.h' && !findTool(t, env));
  if (!missing.includes('cc') && !compilerHasHeader('seccomp.h', env)) missing.push('seccomp.h');
  return missing;
}

const REBUILD_HINT = 'then run the haco command again: it builds its launcher on first use (`haco doctor` shows what else is missing)';

/**
 * Builds the launcher from `root`/native into the cache (build dir renamed into place, so two haco
 * processes building at once both end with a whole binary). Returns its path.
 */
export function buildLauncher(root: string, options: { cacheDir?: string; log?: (line: string) => void } = {}): string {
  const key = launcherSourcesKey(root);
  if (!key) {
    throw new HacoError('E_LAUNCHER_MISSING', `the native launcher is not built and its sources are missing (${path.join(root, 'native')})`, {
      hint: 'reinstall haco (npm i haco): the package carries native/Makefile and native/src',
      exitCode: EXIT.host,
    });
  }
  const target = cachedLauncherPath(key, options.cacheDir);
  const missing = missingBuildTools();
  if (missing.length > 0) {
    throw new HacoError('E_LAUNCHER_MISSING', `the native launcher is not built yet, and building it needs ${missing.join(', ')}`, {
      hint: `${installHint(LAUNCHER_BUILD_TOOLS)} (as root), ${REBUILD_HINT}`,
      exitCode: EXIT.host,
    });
  }
  const parent = path.dirname(path.dirname(target));
  fs.mkdirSync(parent, { recursive: true, mode: 0o755 });
  const work = fs.mkdtempSync(path.join(parent, `.build-${key}-`));
  fs.chmodSync(work, 0o755);
  (options.log ?? ((l) => process.stderr.write(`${l}\n`)))(`haco: building the native launcher (first use, some seconds) into ${path.dirname(target)}`);
  const make = childProcess().spawnSync(findTool('make')!, ['-C', path.join(root, 'native'), '--no-print-directory', `-j${os.availableParallelism()}`, `B=${work}`, `${work}/haco-launch`], { encoding: 'utf8' });
  if (make.status !== 0) {
    fs.rmSync(work, { recursive: true, force: true });
    const output = `${make.stdout ?? ''}${make.stderr ?? ''}${make.error ? make.error.message : ''}`.trim().split('\n').slice(-15).join('\n');
    throw new HacoError('E_LAUNCHER_BUILD', `building the native launcher failed:\n${output}`, {
      hint: `${installHint(LAUNCHER_BUILD_TOOLS)} (as root), ${REBUILD_HINT}`,
      exitCode: EXIT.host,
    });
  }
  try {
    fs.renameSync(work, path.dirname(target));
  } catch (error) {
    // Another haco built the same sources meanwhile: use that one.
    fs.rmSync(work, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw error;
  }
  return target;
}
