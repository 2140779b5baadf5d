import { Args } from '@oclif/core';
import { RuntimeCommand } from '../support/runtime-command';
import { idArg, runtimeFlags } from '../support/runtime-flags';

export default class RuntimeKill extends RuntimeCommand {
  static override summary = "Send a signal to a created or running container's process.";
  static override description = 'SIGNAL is a name (TERM, SIGKILL) or a number; default TERM.';
  static override examples = ['<%= config.bin %> runtime kill app', '<%= config.bin %> runtime kill app KILL'];
  static override args = { ...idArg, signal: Args.string({ description: 'Signal name or number.', default: 'TERM' }) };
  static override flags = runtimeFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RuntimeKill);
    const { killContainer } = await import('../../oci-runtime/control');
    const { signalNumber } = await import('../../lifecycle/kill');
    killContainer(flags.root, args.id, signalNumber(args.signal));
  }
}
