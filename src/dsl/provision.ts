import type { ProvisionPlan } from '../plan/types';
import { checkOptions, guardMethods, optionKeys } from './options';

export interface ProvisionFileOptions {
  /** Octal permissions of the copy, e.g. "0644". */
  mode?: string;
}
const FILE_OPTIONS = optionKeys<ProvisionFileOptions>()({ mode: true });

/**
 * What `haco provision` does to a bootstrapped rootfs: copy files in, then run named shell steps inside
 * it (own mount namespace with proc, dev, sys, tmp and the host's resolv.conf; `sh -xe`). A step whose
 * script did not change since its last successful run is skipped. Immutable.
 */
export class ProvisionBuilder {
  readonly #plan: ProvisionPlan;

  /** @internal */
  constructor(plan: ProvisionPlan = { steps: [], files: [], network: 'host' }) {
    this.#plan = plan;
    return guardMethods(this, 'the provision builder');
  }

  /**
   * A named shell step run inside the rootfs with `sh -xe` (stops at the first failing command).
   * Its output is prefixed `[provision.NAME]`.
   */
  step(name: string, script: string): ProvisionBuilder {
    return new ProvisionBuilder({ ...this.#plan, steps: [...this.#plan.steps, { name, script }] });
  }

  /**
   * Copy a host file into the rootfs before the steps run. A relative `source` is resolved against the
   * definition file's folder.
   */
  file(source: string, target: string, options: ProvisionFileOptions = {}): ProvisionBuilder {
    checkOptions('.file() options', options, FILE_OPTIONS);
    const file = { source, target, ...(options.mode === undefined ? {} : { mode: options.mode }) };
    return new ProvisionBuilder({ ...this.#plan, files: [...this.#plan.files, file] });
  }

  /** @internal */
  toPlan(): ProvisionPlan {
    return structuredClone(this.#plan);
  }
}
