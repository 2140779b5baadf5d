import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { cacheRoot } from './cache-dir';

/**
 * Cache files haco reads back and acts on (a compiled plan decides what runs as root; V8 code is run
 * as is). Two rules keep them from being a way in:
 *
 * - they live in folders created 0700 and used only when owned by the running user and writable by
 *   nobody else (checked on each use: a folder someone else prepared is ignored, not trusted);
 * - each file starts with the SHA-256 of its content, checked before use: a truncated, corrupted or
 *   edited file is discarded, never executed. (This catches accidents; the folder's owner and mode are
 *   what keep others out.)
 */

const HASH_HEX = 64;

// node:crypto costs ~1 ms to load: required on first use, so `haco version` never pays it.
function sha256(data: Uint8Array): string {
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(data).digest('hex');
}

function trusted(dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** The cache folder SUB (e.g. `plans`), created if missing; undefined when it cannot be trusted. */
export function cacheDir(sub: string, create: boolean): string | undefined {
  const root = cacheRoot();
  const dir = path.join(root, sub);
  if (create) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch {
      return undefined;
    }
  }
  return trusted(root) && trusted(dir) ? dir : undefined;
}

/** The content of cache file SUB/NAME if it is there, in a trusted folder and intact. */
export function readCacheFile(sub: string, name: string): Buffer | undefined {
  const dir = cacheDir(sub, false);
  if (!dir) return undefined;
  let data: Buffer;
  try {
    data = fs.readFileSync(path.join(dir, name));
  } catch {
    return undefined;
  }
  if (data.length <= HASH_HEX || data[HASH_HEX] !== 0x0a) return undefined;
  const body = data.subarray(HASH_HEX + 1);
  return data.toString('latin1', 0, HASH_HEX) === sha256(body) ? body : undefined;
}

/** Writes SUB/NAME (mode 0600) with its hash; throws when the folder is missing or not trusted. */
export function writeCacheFile(sub: string, name: string, body: string | Uint8Array): string {
  const dir = cacheDir(sub, true);
  if (!dir) throw new Error(`cache folder ${path.join(cacheRoot(), sub)} is not private to this user`);
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const file = path.join(dir, name);
  writeFileAtomic(file, Buffer.concat([Buffer.from(`${sha256(bytes)}\n`, 'latin1'), bytes]), 0o600);
  return file;
}
