import * as path from 'node:path';
import { orderByLayers } from '../bootstrap/layers';
import { requireRootFor } from '../bootstrap/tools';
import { pickContainer, type FileRef } from '../plan/pick';
import type { Plan } from '../plan/types';
import { createReporter } from '../progress/reporter';
import { readyRootfs } from '../provision/ready-rootfs';
import { missingRoots } from './preflight';

/**
 * `haco start --create`: when the rootfs (or an overlay's lower layer made by another container of the
 * file) is missing, build it as `haco create` would, progress on stderr; an existing one is left alone.
 */
export async function createMissingRootfs(plan: Plan, ref: FileRef, definitionFile: string): Promise<void> {
  const container = pickContainer(plan, ref.file, ref.container);
  const missing = missingRoots(container);
  if (missing.length === 0) return;
  const lowers = plan.containers.filter((c) => c !== container && missing.includes(c.rootfs.path));
  requireRootFor('start --create', [...lowers, container]);
  const reporter = createReporter({ json: false });
  for (const c of orderByLayers([...lowers, container])) {
    await readyRootfs(c, { force: false, provision: true, reporter, baseDir: path.dirname(definitionFile), others: plan.containers });
  }
}
