import { RuntimeCommand } from '../support/runtime-command';
import { idArg, runtimeFlags } from '../support/runtime-flags';

export default class RuntimeStart extends RuntimeCommand {
  static override summary = "Run a created container's process.";
  static override description = 'Writes the byte the held process reads at `wait-start` (everything but its exec is done); returns once the program runs, or fails with the step and errno of a launch that failed after it (the state stays, stopped).';
  static override examples = ['<%= config.bin %> runtime start app'];
  static override args = idArg;
  static override flags = runtimeFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RuntimeStart);
    const { startContainer } = await import('../../oci-runtime/control');
    await startContainer(flags.root, args.id);
  }
}
