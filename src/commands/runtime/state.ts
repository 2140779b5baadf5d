import { RuntimeCommand } from '../support/runtime-command';
import { idArg, runtimeFlags } from '../support/runtime-flags';

export default class RuntimeState extends RuntimeCommand {
  static override summary = "Print a container's runtime-spec State as JSON.";
  static override description = 'ociVersion, id, status (creating, created, running, stopped), pid (while not stopped), bundle, annotations.';
  static override examples = ['<%= config.bin %> runtime state app'];
  static override args = idArg;
  static override flags = runtimeFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RuntimeState);
    const { requireOciEntry } = await import('../../oci-runtime/state');
    process.stdout.write(`${JSON.stringify(requireOciEntry(flags.root, args.id).state, null, 2)}\n`);
  }
}
