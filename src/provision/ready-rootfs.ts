import { createRootfs, type CreateOptions, type CreateResult } from '../bootstrap/create';
import { withCancel } from '../progress/cancel';
import type { ContainerPlan } from '../plan/types';
import { provisionRootfs, type ProvisionResult } from './provision';
import { clearRecord } from './record';

export interface ReadyRootfsOptions extends CreateOptions {
  /** Run the provision steps (false: `haco create --no-provision`). */
  provision: boolean;
}

export interface ReadyRootfs {
  created: CreateResult;
  provisioned: Pick<ProvisionResult, 'ran' | 'skipped'>;
}

/**
 * A rootfs ready to use, the one order every command that needs one follows (`haco create`, `haco
 * archive`): bootstrap when it is missing (or forced), forget the provision record of a tree that was
 * just made (its steps must run again in it), then run the provision steps that changed. Ctrl-C during
 * provisioning stops the step's processes and reports, as in `haco provision`; bootstrap has its own.
 */
export async function readyRootfs(container: ContainerPlan, options: ReadyRootfsOptions): Promise<ReadyRootfs> {
  const { provision, ...create } = options;
  const created = await createRootfs(container, create);
  if (created.outcome === 'created') clearRecord(container.name);
  const provisioned = provision
    ? await withCancel((signal) => provisionRootfs(container, { reporter: options.reporter, baseDir: options.baseDir, signal }))
    : { ran: [], skipped: [] };
  return { created, provisioned };
}
