import * as fs from 'node:fs';
import * as path from 'node:path';
import { InterruptedError, RootfsStateError } from './errors';
import { removeTree } from './remove-tree';
import { CANCEL_SIGNALS } from '../progress/cancel';

export interface AtomicBuild {
  /** The directory to fill: `<target>.haco-new-<pid>`, empty, mode 0755. */
  readonly dir: string;
  /** Aborted on SIGINT/SIGTERM: pass it to child processes so they stop. */
  readonly signal: AbortSignal;
  /** Another scratch path to remove if the build fails (e.g. a private lxcpath). */
  scratch(path: string): string;
}

export interface AtomicOptions {
  /** Replace an existing target (otherwise it is kept and the build is skipped). */
  force: boolean;
}

/** `<target>.haco-new-<pid>`: beside the target, so the final rename(2) stays on one filesystem. */
export function tempPathFor(target: string, tag = 'new'): string {
  return `${target.replace(/\/+$/, '')}.haco-${tag}-${process.pid}`;
}

/**
 * Builds a directory tree next to `target` and renames it into place only when `build` succeeded.
 * A failure, an exception or Ctrl-C (SIGINT/SIGTERM) removes everything the build made, so a target
 * is either the old tree, the new tree, or absent — never half made. Returns false when the target
 * already exists and `force` is off (nothing is done).
 */
export async function buildAtomically(
  target: string,
  options: AtomicOptions,
  build: (work: AtomicBuild) => Promise<void>,
): Promise<boolean> {
  const exists = fs.existsSync(target);
  if (exists && !options.force) return false;
  const parent = path.dirname(target);
  // The first directory mkdir had to make (undefined if the parent existed): removed on failure,
  // so a failed first create leaves no empty /var/lib/haco/NAME behind.
  let madeParent: string | undefined;
  try {
    madeParent = fs.mkdirSync(parent, { recursive: true });
    fs.accessSync(parent, fs.constants.W_OK);
  } catch (error) {
    throw new RootfsStateError('E_ROOTFS_PARENT', `cannot create ${target}: ${(error as Error).message}`, `choose a writable place for the rootfs, e.g. .rootfs('/var/lib/haco/NAME/rootfs')`);
  }
  const dir = tempPathFor(target);
  const scratch: string[] = [dir];
  // A leftover from a crashed run with the same pid (after a reboot) is ours: clear it.
  removeTree(dir);
  fs.mkdirSync(dir, { mode: 0o755 });
  fs.chmodSync(dir, 0o755);

  const controller = new AbortController();
  let caught: NodeJS.Signals | undefined;
  const cleanup = (): void => {
    for (const p of scratch.reverse()) {
      try {
        removeTree(p);
      } catch {
        // best effort: the error path reports the build failure, not the cleanup
      }
    }
    scratch.length = 0;
  };
  const removeMadeParents = (): void => {
    if (!madeParent) return;
    for (let dir = parent; dir.length >= madeParent.length; dir = path.dirname(dir)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        return; // not empty (someone else's file, or the state dir got a log): keep it
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (caught) {
      // Second Ctrl-C: the user does not want to wait for children to exit.
      cleanup();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
    }
    caught = signal;
    controller.abort(new InterruptedError(signal));
  };
  for (const s of CANCEL_SIGNALS) process.on(s, onSignal);
  try {
    await build({
      dir,
      signal: controller.signal,
      scratch: (p) => {
        scratch.push(p);
        return p;
      },
    });
    if (caught) throw new InterruptedError(caught);
    if (exists) {
      // Move the old tree aside first, so a crash between the two renames loses nothing.
      const old = tempPathFor(target, 'old');
      fs.renameSync(target, old);
      try {
        fs.renameSync(dir, target);
      } catch (error) {
        fs.renameSync(old, target); // the old tree goes back: a failed rebuild must not lose it
        throw error;
      }
      scratch.splice(scratch.indexOf(dir), 1);
      scratch.push(old);
    } else {
      fs.renameSync(dir, target);
      scratch.splice(scratch.indexOf(dir), 1);
    }
    cleanup();
    return true;
  } catch (error) {
    cleanup();
    removeMadeParents();
    if (caught) throw new InterruptedError(caught);
    throw error;
  } finally {
    for (const s of CANCEL_SIGNALS) process.off(s, onSignal);
  }
}
