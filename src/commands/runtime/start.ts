import { HacoCommand } from '../support/base-command';
import { idArg, runtimeFlags } from '../support/runtime-flags';

export default class RuntimeStart extends HacoCommand {
  static override summary = "Run a created container's process.";
  static override description = 'Releases the launcher waiting at `wait-start`; returns once the process runs (or the launch failed).';
  static override examples = ['<%= config.bin %> runtime start app'];
  static override args = idArg;
  static override flags = runtimeFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RuntimeStart);
    const { startContainer } = await import('../../oci-runtime/control');
    await startContainer(flags.root, args.id);
  }
}
