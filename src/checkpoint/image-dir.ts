import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import { EXIT, HacoError } from '../errors';
import type { ContainerPlan } from '../plan/types';
import type { ExternalMount } from './criu-args';

/**
 * A checkpoint directory (`haco checkpoint NAME -o DIR`):
 *
 *   DIR/haco-checkpoint.json   what haco needs to restore: the plan, the cgroups, the external mounts,
 *                              the stdio pipes, the kernel and criu it was taken with (this file)
 *   DIR/criu/                  criu's own images (criu dump --images-dir)
 *   DIR/criu/dump.log          criu's log of the dump; restore.log next to it after a restore
 */
export const CHECKPOINT_FILE = 'haco-checkpoint.json';
export const CHECKPOINT_FORMAT = 1;

export interface CheckpointRecord {
  format: typeof CHECKPOINT_FORMAT;
  name: string;
  /** Epoch ms. */
  taken: number;
  kernel: string;
  criu: string;
  /** The container's init when it was dumped (host pid). */
  pid: number;
  leftRunning: boolean;
  cgroups: string[];
  externalMounts: ExternalMount[];
  /** fd number of the init → the pipe it was (`pipe:[INODE]`), for --inherit-fd on restore. */
  stdioPipes: Array<{ fd: number; resource: string }>;
  plan: ContainerPlan;
}

export const criuImagesDir = (dir: string): string => path.join(dir, 'criu');

export function writeCheckpointRecord(dir: string, record: CheckpointRecord): void {
  writeFileAtomic(path.join(dir, CHECKPOINT_FILE), JSON.stringify(record, null, 2) + '\n', 0o600);
}

export function readCheckpointRecord(dir: string): CheckpointRecord {
  const file = path.join(dir, CHECKPOINT_FILE);
  let record: CheckpointRecord;
  try {
    record = JSON.parse(fs.readFileSync(file, 'utf8')) as CheckpointRecord;
  } catch (error) {
    throw new HacoError('E_RESTORE', `${dir} is not a haco checkpoint (${file}: ${(error as Error).message})`, {
      hint: 'give the directory `haco checkpoint NAME -o DIR` wrote',
      exitCode: EXIT.state,
    });
  }
  if (record.format !== CHECKPOINT_FORMAT) {
    throw new HacoError('E_RESTORE', `${file} has format ${JSON.stringify((record as { format?: unknown }).format)}; this haco reads format ${String(CHECKPOINT_FORMAT as number)}`, {
      hint: 'restore it with the haco version that took it',
      exitCode: EXIT.state,
    });
  }
  return record;
}
