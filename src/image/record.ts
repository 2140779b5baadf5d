import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import { containerStateDir } from '../state/state-root';
import { ensureStateHome } from '../state/host-dir';
import type { ImageRecord } from '../plan/image-defaults';

export type { ImageRecord };


export function imageRecordPath(container: string): string {
  return path.join(containerStateDir(container), 'image.json');
}

/** The record of the last create, or undefined (never created, unreadable, or another format). */
export function readImageRecord(container: string): ImageRecord | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(imageRecordPath(container), 'utf8')) as Partial<ImageRecord>;
    if (parsed.version !== 1 || typeof parsed.image !== 'string' || typeof parsed.digest !== 'string' || typeof parsed.config !== 'object' || parsed.config === null) return undefined;
    return parsed as ImageRecord;
  } catch {
    return undefined;
  }
}

export function writeImageRecord(container: string, record: ImageRecord): void {
  ensureStateHome(container);
  writeFileAtomic(imageRecordPath(container), `${JSON.stringify(record, null, 2)}\n`);
}
