import type { ContainerPlan } from '../plan/types';
import type { Reporter } from '../progress/reporter';
import type { AtomicBuild } from './atomic';

/** What a strategy gets: where to build, what for, how to report and when to stop. */
export interface BootstrapContext {
  container: ContainerPlan;
  /** Directory of the definition file (relative paths in the plan are resolved against it). */
  baseDir: string;
  /** The temporary directory to fill; renamed to the rootfs path on success. */
  work: AtomicBuild;
  reporter: Reporter;
}
