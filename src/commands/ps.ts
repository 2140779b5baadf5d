import { HacoCommand, jsonFlag } from './support/base-command';
import { Flags } from '@oclif/core';

export default class Ps extends HacoCommand {
  static override summary = 'List containers: status, pid, uptime, CPU, memory and own namespaces.';
  static override description =
    'Reads the state the supervisors keep in /run/haco (HACO_RUN_DIR). Like `docker ps`, only containers that are ' +
    'starting, running or restarting are listed; -a adds exited ones and stale ones (whose supervisor is gone: ' +
    'crash, reboot, reused pid; never shown as running). `haco rm NAME` clears exited and stale ones. ' +
    '-q prints only the names, one a line (`haco rm $(haco ps -aq)`). --json: an array of ' +
    '{"name","status","pid","supervisor","uptimeSeconds","cpuSeconds","memoryBytes","namespaces","exitCode",' +
    '"restarts","reason","planHash","reloadedAt","autoRemove"}, with the same -a filter. As root, `haco ps` with -a/-q ' +
    'only is printed by the native front without starting Node (the same output; HACO_NO_FAST_PS=1 forces Node).';
  static override examples = ['<%= config.bin %> ps', '<%= config.bin %> ps -a', '<%= config.bin %> ps -q', '<%= config.bin %> ps -a --json'];
  static override flags = {
    json: jsonFlag,
    all: Flags.boolean({ char: 'a', description: 'Also list exited and stale containers.', default: false }),
    quiet: Flags.boolean({ char: 'q', description: 'Print only the names, one a line.', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Ps);
    const { psOutput } = await import('../lifecycle/ps');
    process.stdout.write(psOutput({ all: flags.all, quiet: flags.quiet, json: flags.json }));
  }
}
