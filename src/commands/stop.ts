import { Flags } from '@oclif/core';
import { containerNameArg, HacoCommand, jsonFlag } from './support/base-command';

export default class Stop extends HacoCommand {
  static override summary = 'Stop a container: SIGTERM, wait, SIGKILL after the timeout.';
  static override description =
    'Tells the supervisor not to restart, sends SIGTERM (or -s SIG) to the container\'s init and waits until the ' +
    'supervisor has recorded the exit and is gone. After --timeout seconds the init and every process of the ' +
    'container get SIGKILL. Exit status: 0 stopped, 5 not running. --json: ' +
    '{"name","signal","escalated":true if SIGKILL followed,"exitCode","waitedMs"}.';
  static override examples = ['<%= config.bin %> stop web', '<%= config.bin %> stop web --timeout 3', '<%= config.bin %> stop --json web'];
  static override args = { name: containerNameArg() };
  static override flags = {
    json: jsonFlag,
    signal: Flags.string({ char: 's', description: 'Signal to send first (name or number).', default: 'TERM' }),
    timeout: Flags.integer({ description: 'Seconds to wait before SIGKILL.', default: 10, min: 0 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Stop);
    const { killContainer, signalNumber, describeStop } = await import('../lifecycle/kill');
    const r = await killContainer(args.name, signalNumber(flags.signal), flags.timeout * 1000);
    process.stdout.write(flags.json ? `${JSON.stringify({ ...r, exitCode: r.exitCode ?? null }, null, 2)}\n` : describeStop(r));
  }
}
