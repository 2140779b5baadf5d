import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerPlan } from '../plan/types';
import type { Reporter } from '../progress/reporter';
import { buildAtomically } from './atomic';
import type { BootstrapContext } from './context';
import { runStrategy } from './dispatch';
import { createSharedImage, pinImage } from './image';
import { RootfsStateError } from './errors';
import { ensureOverlayDirs, isPopulatedDir } from './layers';
import { runPostSteps } from './shell';
import { secureContainerHome } from '../state/host-dir';

export type CreateOutcome = 'created' | 'kept' | 'existing' | 'layers';

export interface CreateResult {
  container: string;
  rootfs: string;
  outcome: CreateOutcome;
  ms: number;
}

export interface CreateOptions {
  force: boolean;
  reporter: Reporter;
  /** Directory of the definition file. */
  baseDir: string;
  /** The other containers of the file (for "create the base first" hints). */
  others?: readonly ContainerPlan[];
}

/**
 * Makes the rootfs of one container: overlay dirs for a layered container, a check for `none` /
 * `directory()` without a source, otherwise the bootstrap strategy and its post steps in a temporary
 * tree renamed into place at the end. An existing rootfs is kept unless `force`.
 */
export async function createRootfs(container: ContainerPlan, options: CreateOptions): Promise<CreateResult> {
  // Other users must not reach the rootfs (its setuid binaries would run as root for them): its home under
  // /var/lib/haco is made (or tightened to) root-only before anything is put in it.
  const madeHome = secureContainerHome(container, { create: true });
  try {
    return await createIn(container, options);
  } catch (error) {
    if (madeHome) {
      try {
        fs.rmdirSync(madeHome); // only when still empty: a failed first create leaves nothing behind
      } catch {
        // something else is in it now: keep it
      }
    }
    throw error;
  }
}

async function createIn(container: ContainerPlan, options: CreateOptions): Promise<CreateResult> {
  const started = Date.now();
  const { reporter } = options;
  const name = container.name;
  const target = path.resolve(container.rootfs.path);
  const bootstrap = container.bootstrap;
  const result = (outcome: CreateOutcome): CreateResult => ({ container: name, rootfs: target, outcome, ms: Date.now() - started });

  // Shared image layers: before the overlay branch, since a pinned plan of one has rootfs.overlay too.
  if (bootstrap.strategy === 'image' && bootstrap.layers === 'shared' && (!container.rootfs.overlay || bootstrap.pinned)) {
    return result(await createSharedImage(container, bootstrap, { force: options.force, baseDir: options.baseDir, reporter }));
  }

  if (container.rootfs.overlay) {
    if (bootstrap.strategy !== 'none') {
      reporter.warn(name, `bootstrap.${bootstrap.strategy} is ignored: the rootfs is an overlay of ${container.rootfs.overlay.lower.join(', ')}`);
    }
    reporter.begin(name, 'layers');
    const made = ensureOverlayDirs(container, container.rootfs.overlay, options.others);
    for (const dir of made) reporter.line(name, 'layers', `made ${dir}`);
    reporter.end(name, 'layers', made.length > 0 ? 'ok' : 'skipped', Date.now() - started);
    return result('layers');
  }

  if (bootstrap.strategy === 'none' || (bootstrap.strategy === 'directory' && bootstrap.source === undefined)) {
    if (!isPopulatedDir(target)) {
      throw new RootfsStateError(
        'E_NO_ROOTFS',
        `${target} does not exist or is empty, and "${name}" has no bootstrap that could make it`,
        "add one, e.g. .bootstrap((b) => b.busybox()), or put a tree there (tar -xf rootfs.tar -C DIR)",
      );
    }
    if (bootstrap.post.length > 0) reporter.warn(name, 'post steps only run when haco builds the rootfs; this one already exists');
    return result('existing');
  }

  const phase = `bootstrap.${bootstrap.strategy}`;
  if (fs.existsSync(target) && !options.force) {
    reporter.line(name, phase, `${target} exists, kept (--force rebuilds it)`);
    return result('kept');
  }
  await buildAtomically(target, { force: options.force }, async (work) => {
    const ctx: BootstrapContext = { container, baseDir: options.baseDir, work, reporter };
    reporter.begin(name, phase);
    try {
      await runStrategy(bootstrap, ctx);
    } catch (error) {
      reporter.end(name, phase, 'failed', Date.now() - started);
      throw error;
    }
    if (work.signal.aborted) return;
    reporter.end(name, phase, 'ok', Date.now() - started);
    await runPostSteps(bootstrap.post, ctx);
  });
  if (bootstrap.strategy === 'image') pinImage(bootstrap, name, options.baseDir, target);
  return result('created');
}
