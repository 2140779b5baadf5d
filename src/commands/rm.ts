import { Flags } from '@oclif/core';
import { containerNamesArg, HacoCommand, jsonFlag } from './support/base-command';

export default class Rm extends HacoCommand {
  static override summary = 'Remove an exited or stale container: processes its dead supervisor left, its cgroups, its state dir.';
  static override description =
    'A running container is refused unless -f: then it gets SIGKILL (its supervisor is told not to restart it), ' +
    'haco waits until the exit is recorded, and removes it. The rootfs is not touched (`haco destroy FILE` ' +
    'removes that). --json: an array with one {"name","stopped","killed","removedCgroups"} per name ' +
    '(stopped: -f had to kill it; killed: processes a dead supervisor left behind).';
  static override examples = ['<%= config.bin %> rm web', '<%= config.bin %> rm -f web', '<%= config.bin %> rm $(<%= config.bin %> ps -aq)', '<%= config.bin %> rm --json web'];
  static override strict = false;
  static override args = { name: containerNamesArg() };
  static override flags = {
    json: jsonFlag,
    force: Flags.boolean({ char: 'f', description: 'Kill a running container first (SIGKILL), then remove it.', default: false }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Rm);
    const { removeContainer } = await import('../lifecycle/rm');
    const { readState } = await import('../state');
    const results = [];
    for (const name of argv as string[]) {
      let stopped = false;
      const s = readState(name);
      if (flags.force && s && s.status !== 'exited' && s.status !== 'stale') {
        const { killContainer } = await import('../lifecycle/kill');
        const { constants } = await import('node:os');
        await killContainer(name, constants.signals.SIGKILL, 0);
        stopped = true;
      }
      // A container started with `-d --rm` is gone already once its supervisor is.
      const r = stopped && !readState(name) ? { removedCgroups: [], killed: 0 } : removeContainer(name);
      results.push({ name, stopped, killed: r.killed, removedCgroups: r.removedCgroups });
      if (!flags.json) {
        const extra = [stopped ? 'killed it first' : '', r.killed ? `killed ${r.killed} process(es) its supervisor left` : '', r.removedCgroups.length ? `${r.removedCgroups.length} leftover cgroup(s)` : ''].filter(Boolean);
        process.stdout.write(`removed ${name}${extra.length ? ` (${extra.join(', ')})` : ''}\n`);
      }
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  }
}
