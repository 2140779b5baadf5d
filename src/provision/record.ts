import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import type { ShellStep } from '../plan/types';
import { containerStateDir } from '../state/state-root';
import { ensureStateHome } from '../state/host-dir';

/**
 * What `haco provision` remembers between runs, kept in the container's state dir
 * (`/var/lib/haco/NAME/provisioned.json`) and never inside the rootfs: an archive of the rootfs must
 * not carry haco's bookkeeping, and a rootfs shared as a lower layer must not be written to.
 */
export interface ProvisionRecord {
  version: 1;
  /** Identity of the tree the steps ran in; a rebuilt rootfs has another one, and every step runs again. */
  rootfsId: string;
  steps: Record<string, { hash: string; finishedAt: string; ms: number }>;
}

/** Content hash of a step: its name and its exact script text. */
export function stepHash(step: ShellStep): string {
  return createHash('sha256').update(step.name).update('\0').update(step.script).digest('hex');
}

/**
 * dev:inode:birth time of the directory whose contents provision changes (the rootfs, or for an
 * overlay the upper dir). Inode numbers alone are reused after a delete + rebuild.
 */
export function treeIdentity(dir: string): string {
  const st = fs.statSync(dir, { bigint: true });
  return `${st.dev}:${st.ino}:${st.birthtimeNs}`;
}

export function recordPath(container: string): string {
  return path.join(containerStateDir(container), 'provisioned.json');
}

/** The record if it belongs to this very tree, else an empty one. */
export function readRecord(container: string, rootfsId: string): ProvisionRecord {
  const empty: ProvisionRecord = { version: 1, rootfsId, steps: {} };
  try {
    const parsed = JSON.parse(fs.readFileSync(recordPath(container), 'utf8')) as Partial<ProvisionRecord>;
    if (parsed.version !== 1 || parsed.rootfsId !== rootfsId || typeof parsed.steps !== 'object' || parsed.steps === null) return empty;
    return { version: 1, rootfsId, steps: parsed.steps };
  } catch {
    return empty;
  }
}

/** Written after every successful step (temp file + rename), so a later failure keeps earlier ones. */
export function writeRecord(container: string, record: ProvisionRecord): void {
  ensureStateHome(container);
  writeFileAtomic(recordPath(container), `${JSON.stringify(record, null, 2)}\n`);
}

/** Forget everything (the rootfs was rebuilt). */
export function clearRecord(container: string): void {
  fs.rmSync(recordPath(container), { force: true });
}

/** Which steps must run: changed or new ones (or all with `always`), restricted to `only`. */
export function planSteps(
  steps: readonly ShellStep[],
  record: ProvisionRecord,
  options: { only?: readonly string[]; always?: boolean },
): Array<{ step: ShellStep; hash: string; run: boolean }> {
  return steps
    .filter((s) => !options.only || options.only.includes(s.name))
    .map((step) => {
      const hash = stepHash(step);
      return { step, hash, run: Boolean(options.always) || record.steps[step.name]?.hash !== hash };
    });
}
