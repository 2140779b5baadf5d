import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes FILE whole or not at all: a temp file beside it, then rename(2), so a reader (another haco, the
 * supervisor, a concurrent run) never sees half a file. The directory is created if needed; on failure
 * the temp file is removed and the error is thrown.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
