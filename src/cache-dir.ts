import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where haco keeps what only makes it faster (compiled plans, V8 code): HACO_CACHE_DIR, else for root
 * /var/cache/haco (never a folder in a home that root's environment happens to point at), else
 * $XDG_CACHE_HOME/haco or ~/.cache/haco. Deleting it is always safe. src/cache-file.ts decides whether
 * what is found there may be used.
 */
export function cacheRoot(): string {
  if (process.env['HACO_CACHE_DIR']) return process.env['HACO_CACHE_DIR'];
  if (process.getuid?.() === 0) return '/var/cache/haco';
  return path.join(process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'haco');
}
