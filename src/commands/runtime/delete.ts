import { Flags } from '@oclif/core';
import { RuntimeCommand } from '../support/runtime-command';
import { idArg, runtimeFlags } from '../support/runtime-flags';

export default class RuntimeDelete extends RuntimeCommand {
  static override summary = 'Remove a stopped container: its cgroups, its state, nothing left.';
  static override description = 'With --force a created or running container is killed (SIGKILL) first.';
  static override examples = ['<%= config.bin %> runtime delete app', '<%= config.bin %> runtime delete --force app'];
  static override args = idArg;
  static override flags = { ...runtimeFlags, force: Flags.boolean({ char: 'f', description: 'Kill it first if it still runs.', default: false }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RuntimeDelete);
    const { deleteContainer } = await import('../../oci-runtime/control');
    await deleteContainer(flags.root, args.id, flags.force);
  }
}
