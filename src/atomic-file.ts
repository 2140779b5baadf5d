import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOST_MODES } from './state/modes';

/**
 * Writes FILE whole or not at all: a temp file beside it, then rename(2), so a reader (another haco, the
 * supervisor, a concurrent run) never sees half a file. The directory is created if needed; on failure
 * the temp file is removed and the error is thrown. Private by default (0600, new directories 0700):
 * what haco writes (plans with their environment's values, provision records) is nobody else's to read.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode: number = HOST_MODES.file): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: HOST_MODES.private });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { mode, flag: 'w' });
    fs.chmodSync(tmp, mode); // a leftover temp file keeps its old mode through writeFileSync
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
