import { Flags } from '@oclif/core';
import { containerNamesArg, HacoCommand, jsonFlag } from './support/base-command';

export default class Stop extends HacoCommand {
  static override summary = 'Stop containers: SIGTERM, wait, SIGKILL after the timeout.';
  static override description =
    'Tells the supervisor not to restart, sends SIGTERM (or -s SIG) to the container\'s init and waits until the ' +
    'supervisor has recorded the exit and is gone. After --timeout seconds the init and every process of the ' +
    'container get SIGKILL. Takes many names or --all (every running container): all are signalled at once ' +
    'and waited for together. Exit status: 0 stopped, 5 not running (the first failure\'s; the others are still stopped).';
  static override examples = ['<%= config.bin %> stop web', '<%= config.bin %> stop web db --timeout 3', '<%= config.bin %> stop --all'];
  static override strict = false;
  static override args = { name: containerNamesArg('Container name(s); or --all.', false) };
  static override flags = {
    signal: Flags.string({ char: 's', description: 'Signal to send first (name or number).', default: 'TERM' }),
    timeout: Flags.integer({ description: 'Seconds to wait before SIGKILL.', default: 10, min: 0 }),
    all: Flags.boolean({ description: 'Every running container.', default: false }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Stop);
    const { killContainers, signalNumber, describeStop } = await import('../lifecycle/kill');
    const { selectTargets } = await import('../lifecycle/targets');
    const { reportPerName } = await import('./support/per-name');
    const names = selectTargets(argv as string[], flags.all, 'stoppable');
    const outcomes = await killContainers(names, signalNumber(flags.signal), flags.timeout * 1000);
    reportPerName(outcomes, flags.json, (o) => describeStop(o.result!), (o) => ({ ...o.result }));
  }
}
