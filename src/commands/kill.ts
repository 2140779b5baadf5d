import { Args, Flags } from '@oclif/core';
import { HacoCommand } from '../cli/base-command';

export default class Kill extends HacoCommand {
  static override summary = 'Stop a container: signal it, wait until it exited, SIGKILL after the timeout.';
  static override description =
    'Tells the supervisor not to restart, sends SIG (default TERM) to the container\'s init and waits until the ' +
    'supervisor has recorded the exit and is gone. After --timeout seconds the container gets SIGKILL. ' +
    'Exit status: 0 stopped, 5 not running.';
  static override aliases = ['stop'];
  static override examples = ['<%= config.bin %> kill web', '<%= config.bin %> stop web -s INT --timeout 3'];
  static override args = { name: Args.string({ description: 'Container name.', required: true }) };
  static override flags = {
    signal: Flags.string({ char: 's', description: 'Signal to send first (name or number).', default: 'TERM' }),
    timeout: Flags.integer({ description: 'Seconds to wait before SIGKILL.', default: 10, min: 0 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Kill);
    const { killContainer, signalNumber } = await import('../lifecycle/kill');
    const r = await killContainer(args.name, signalNumber(flags.signal), flags.timeout * 1000);
    const how = r.escalated ? ' (SIGKILL after the timeout)' : '';
    process.stdout.write(`${r.name} stopped${how}: exit ${r.exitCode ?? '?'}, after ${r.waitedMs} ms\n`);
  }
}
