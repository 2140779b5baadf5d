import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, HacoError } from '../errors';
import { buildLauncher, cachedLauncherPath, launcherSourcesKey, untrustedReason } from '../host/launcher-build';
import { packageRoot } from '../package-root';

/** Where `npm run build` puts the launcher in a clone, relative to the package root. */
export const LAUNCHER_RELATIVE_PATH = path.join('native', 'build', 'haco-launch');

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export interface LauncherLocation {
  /** Where the launcher is, or would be once built. */
  path: string;
  /** `env`: HACO_LAUNCHER; `tree`: native/build of a clone; `cache`: built on first use into the cache dir. */
  source: 'env' | 'tree' | 'cache';
  built: boolean;
}

/**
 * Where the launcher comes from, without building anything: HACO_LAUNCHER if set (a debug build, a
 * system install), else native/build/haco-launch in a clone where `npm run build` ran, else the copy
 * built from the package's sources into the cache dir (src/host/launcher-build.ts).
 */
export function locateLauncher(options: { env?: NodeJS.ProcessEnv; root?: string; cacheDir?: string } = {}): LauncherLocation {
  const env = options.env ?? process.env;
  const fromEnv = env['HACO_LAUNCHER'];
  if (fromEnv) return { path: path.resolve(fromEnv), source: 'env', built: executable(path.resolve(fromEnv)) };
  const root = options.root ?? packageRoot();
  const inTree = path.join(root, LAUNCHER_RELATIVE_PATH);
  if (executable(inTree)) return { path: inTree, source: 'tree', built: true };
  const key = launcherSourcesKey(root);
  if (!key) return { path: inTree, source: 'tree', built: false };
  const cached = cachedLauncherPath(key, options.cacheDir);
  return { path: cached, source: 'cache', built: executable(cached) };
}

/**
 * The native launcher to run (see locateLauncher), built on first use when it is not there yet. Throws a
 * HacoError naming the packages to install when it cannot be built, or when HACO_LAUNCHER is wrong.
 */
export function findLauncher(options: { env?: NodeJS.ProcessEnv; root?: string; cacheDir?: string; log?: (line: string) => void } = {}): string {
  const where = locateLauncher(options);
  if (where.source === 'env' && !where.built) {
    throw new HacoError('E_LAUNCHER_MISSING', `HACO_LAUNCHER points at ${where.path}, which ${fs.existsSync(where.path) ? 'is not executable' : 'does not exist'}`, {
      hint: 'unset HACO_LAUNCHER to use the launcher haco builds itself, or fix the path',
      exitCode: EXIT.host,
    });
  }
  if (where.source === 'cache' && where.built) {
    const why = untrustedReason(where.path);
    if (why) {
      throw new HacoError('E_LAUNCHER_UNTRUSTED', `refusing to run the cached launcher: ${why}`, {
        hint: `remove ${path.dirname(where.path)} (haco builds it again), or set HACO_CACHE_DIR to a directory of your own`,
        exitCode: EXIT.host,
      });
    }
  }
  if (where.built) return where.path;
  return buildLauncher(options.root ?? packageRoot(), { ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}), ...(options.log ? { log: options.log } : {}) });
}
