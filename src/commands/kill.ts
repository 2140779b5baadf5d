import { Flags } from '@oclif/core';
import { containerNameArg, HacoCommand, jsonFlag } from './support/base-command';

export default class Kill extends HacoCommand {
  static override summary = "Send a signal to a container's init (-s SIG), or stop it (no -s: like `haco stop`).";
  static override description =
    "With -s SIG: sends exactly SIG to the container's init and returns; nothing follows (a container that traps " +
    'HUP keeps running). -s KILL also tells the supervisor not to restart and waits until the exit is recorded. ' +
    'Without -s: stops the container like `haco stop` (TERM, --timeout, KILL). Exit status: 0 done, 5 not running. ' +
    '--json: with -s SIG (not KILL) {"name","signal","pid"}; otherwise as `haco stop --json` ' +
    '{"name","signal","escalated","exitCode","waitedMs"}.';
  static override examples = ['<%= config.bin %> kill -s HUP web', '<%= config.bin %> kill -s KILL web', '<%= config.bin %> kill web --timeout 3', '<%= config.bin %> kill --json web'];
  static override args = { name: containerNameArg() };
  static override flags = {
    json: jsonFlag,
    signal: Flags.string({ char: 's', description: 'Signal to send (name or number); nothing else is done unless it is KILL.' }),
    timeout: Flags.integer({ description: 'Without -s (stop): seconds to wait before SIGKILL.', default: 10, min: 0 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Kill);
    const { killContainer, signalContainer, signalNumber, describeStop } = await import('../lifecycle/kill');
    const { constants } = await import('node:os');
    const signal = flags.signal === undefined ? constants.signals.SIGTERM : signalNumber(flags.signal);
    if (flags.signal !== undefined && signal !== constants.signals.SIGKILL) {
      const pid = signalContainer(args.name, signal);
      process.stdout.write(flags.json ? `${JSON.stringify({ name: args.name, signal, pid }, null, 2)}\n` : `${args.name}: sent signal ${signal} to its init (pid ${pid})\n`);
      return;
    }
    const r = await killContainer(args.name, signal, flags.timeout * 1000);
    process.stdout.write(flags.json ? `${JSON.stringify({ ...r, exitCode: r.exitCode ?? null }, null, 2)}\n` : describeStop(r));
  }
}
