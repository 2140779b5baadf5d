import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import { cacheRoot } from '../cache-dir';
import { defaultProfileText } from './default-profile';

/** Where haco keeps the profiles it loads: `<cache>/apparmor/` (deleting it is safe: start rewrites it). */
export function apparmorDir(): string {
  return path.join(cacheRoot(), 'apparmor');
}

/** The file `apparmor_parser -r` reads haco's default profile from. */
export function defaultProfilePath(): string {
  return path.join(apparmorDir(), 'haco-default');
}

/** apparmor_parser's binary cache next to it (`-W -L`): a later load skips compiling the profile. */
export function apparmorCacheDir(): string {
  return path.join(apparmorDir(), 'cache');
}

/**
 * Write the default profile's file if its content differs (a new haco version): the launcher's load step
 * reads it. Returns the path.
 */
export function ensureDefaultProfileFile(): string {
  const file = defaultProfilePath();
  const text = defaultProfileText();
  let current: string | undefined;
  try {
    current = fs.readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== text) {
    fs.mkdirSync(apparmorCacheDir(), { recursive: true, mode: 0o700 });
    writeFileAtomic(file, text, 0o600);
  }
  return file;
}
