import { RuntimeCommand } from '../support/runtime-command';
import { runtimeFlags } from '../support/runtime-flags';

export default class RuntimeFeatures extends RuntimeCommand {
  static override summary = 'Print what haco recognizes in a config.json (runtime-spec features.md JSON).';
  static override description = 'ociVersionMin/Max, hooks, mount options, namespaces, capabilities, cgroup versions; decided by the import mapping, not by this host.';
  static override examples = ['<%= config.bin %> runtime features'];
  static override flags = runtimeFlags;

  async run(): Promise<void> {
    await this.parse(RuntimeFeatures);
    const { runtimeFeatures } = await import('../../oci-runtime/features');
    process.stdout.write(`${JSON.stringify(runtimeFeatures(), null, 2)}\n`);
  }
}
