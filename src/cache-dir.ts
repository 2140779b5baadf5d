import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where haco keeps what only makes it faster (compiled plans, V8 code): HACO_CACHE_DIR, else
 * $XDG_CACHE_HOME/haco or ~/.cache/haco. Deleting it is always safe.
 */
export function cacheRoot(): string {
  return process.env['HACO_CACHE_DIR'] || path.join(process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'haco');
}
