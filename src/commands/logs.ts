import { Args, Flags } from '@oclif/core';
import { HacoCommand } from '../cli/base-command';

export default class Logs extends HacoCommand {
  static override summary = "Print a detached container's stdout and stderr (kept in its state dir).";
  static override examples = ['<%= config.bin %> logs web', '<%= config.bin %> logs -f web'];
  static override args = { name: Args.string({ description: 'Container name.', required: true }) };
  static override flags = { follow: Flags.boolean({ char: 'f', description: 'Keep printing until the container is gone.', default: false }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Logs);
    const { showLogs } = await import('../lifecycle/logs');
    await showLogs(args.name, flags.follow);
  }
}
