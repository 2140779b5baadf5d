import type { BootstrapPlan } from '../plan/types';
import type { BootstrapContext } from './context';
import { bootstrapBusybox } from './busybox';
import { bootstrapDebootstrap } from './debootstrap';
import { bootstrapDirectory } from './directory';
import { bootstrapHost } from './host';
import { bootstrapImage } from './image';
import { bootstrapLxc } from './lxc';
import { bootstrapShell } from './shell';
import { bootstrapTarball } from './tarball';

/**
 * Fills `ctx.work.dir` with the strategy of the plan. `none` and `directory` without a source never
 * get here: they use a tree that already exists (see create.ts).
 */
export async function runStrategy(plan: BootstrapPlan, ctx: BootstrapContext): Promise<void> {
  switch (plan.strategy) {
    case 'host':
      return bootstrapHost(plan, ctx);
    case 'busybox':
      return bootstrapBusybox(plan, ctx);
    case 'debootstrap':
      return bootstrapDebootstrap(plan, ctx);
    case 'lxc':
      return bootstrapLxc(plan, ctx);
    case 'tarball':
      return bootstrapTarball(plan, ctx);
    case 'directory':
      if (plan.source === undefined) return;
      return bootstrapDirectory({ ...plan, source: plan.source }, ctx);
    case 'shell':
      return bootstrapShell(plan.script, ctx);
    case 'image':
      return bootstrapImage(plan, ctx);
    case 'none':
      return;
  }
}
