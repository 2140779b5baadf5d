import { Flags } from '@oclif/core';
import { UsageError, type HacoError } from '../errors';
import { containerNamesArg, HacoCommand, jsonFlag } from './support/base-command';

export default class Kill extends HacoCommand {
  static override summary = "Send a signal to containers' init (-s SIG), or stop them (no -s: like `haco stop`).";
  static override description =
    "With -s SIG: sends exactly SIG to each container's init and returns; nothing follows (a container that traps " +
    'HUP keeps running). -s KILL also tells the supervisor not to restart and waits until the exit is recorded. ' +
    'Without -s: stops the containers like `haco stop` (TERM, --timeout, KILL). Takes many names or --all (every ' +
    'running container); all are signalled at once and waited for together. Exit status: 0 done, 5 not running ' +
    '(the first failure\'s, the others are still done).';
  static override examples = ['<%= config.bin %> kill -s HUP web', '<%= config.bin %> kill --supervisor -s USR1 web   # runs its .onSignal(\'USR1\', …) hook', '<%= config.bin %> kill -s KILL web db', '<%= config.bin %> kill --all --timeout 3'];
  static override strict = false;
  static override args = { name: containerNamesArg('Container name(s); or --all.', false) };
  static override flags = {
    signal: Flags.string({ char: 's', description: 'Signal to send (name or number); nothing else is done unless it is KILL.' }),
    timeout: Flags.integer({ description: 'Without -s (stop): seconds to wait before SIGKILL.', default: 10, min: 0 }),
    all: Flags.boolean({ description: 'Every running container.', default: false }),
    supervisor: Flags.boolean({ description: "With -s USR1 or USR2: send it to the container's supervisor, which runs the definition's .onSignal() command.", default: false }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Kill);
    const { killContainers, signalContainer, signalNumber, describeStop } = await import('../lifecycle/kill');
    const { selectTargets } = await import('../lifecycle/targets');
    const { reportPerName } = await import('./support/per-name');
    const { constants } = await import('node:os');
    const signal = flags.signal === undefined ? constants.signals.SIGTERM : signalNumber(flags.signal);
    const names = selectTargets(argv as string[], flags.all, 'stoppable');
    if (flags.supervisor) {
      const { signalSupervisor } = await import('../lifecycle/kill');
      if (signal !== constants.signals.SIGUSR1 && signal !== constants.signals.SIGUSR2) {
        throw new UsageError('--supervisor takes -s USR1 or -s USR2 (the signals an .onSignal() hook handles)', `haco kill --supervisor -s USR1 ${names[0] ?? 'NAME'}`);
      }
      const sent = names.map((name) => {
        try {
          return { name, signal, pid: signalSupervisor(name, signal) };
        } catch (error) {
          return { name, error: error as HacoError };
        }
      });
      reportPerName(sent, flags.json, (r) => `${r.name}: sent signal ${signal} to its supervisor (pid ${r.pid})\n`, (r) => ({ signal, pid: r.pid }));
      return;
    }
    if (flags.signal !== undefined && signal !== constants.signals.SIGKILL) {
      const sent = names.map((name) => {
        try {
          return { name, signal, pid: signalContainer(name, signal) };
        } catch (error) {
          return { name, error: error as HacoError };
        }
      });
      reportPerName(sent, flags.json, (r) => `${r.name}: sent signal ${signal} to its init (pid ${r.pid})\n`, (r) => ({ signal, pid: r.pid }));
      return;
    }
    const outcomes = await killContainers(names, signal, flags.timeout * 1000);
    reportPerName(outcomes, flags.json, (o) => describeStop(o.result!), (o) => ({ ...o.result }));
  }
}
