import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, HacoError } from '../errors';
import { packageRoot } from '../package-root';

/** Where `npm run build` puts the launcher, relative to the package root. */
export const LAUNCHER_RELATIVE_PATH = path.join('native', 'build', 'haco-launch');

/**
 * The native launcher to run: `HACO_LAUNCHER` if set (a debug build, a system install), else the one built
 * inside the package. Throws a HacoError telling how to build it when it is missing or not executable.
 */
export function findLauncher(options: { env?: NodeJS.ProcessEnv; root?: string } = {}): string {
  const env = options.env ?? process.env;
  const fromEnv = env['HACO_LAUNCHER'];
  const candidate = fromEnv ? path.resolve(fromEnv) : path.join(options.root ?? packageRoot(), LAUNCHER_RELATIVE_PATH);
  try {
    fs.accessSync(candidate, fs.constants.X_OK);
    return candidate;
  } catch {
    const exists = fs.existsSync(candidate);
    throw new HacoError(
      'E_LAUNCHER_MISSING',
      fromEnv
        ? `HACO_LAUNCHER points at ${candidate}, which ${exists ? 'is not executable' : 'does not exist'}`
        : `the native launcher is not built (${candidate} ${exists ? 'is not executable' : 'is missing'})`,
      {
        hint: fromEnv ? 'unset HACO_LAUNCHER to use the bundled launcher, or fix the path' : 'run `npm run build` (it needs build-essential and libseccomp-dev)',
        exitCode: EXIT.host,
      },
    );
  }
}
