import { Flags } from '@oclif/core';
import { containerNamesArg, HacoCommand, jsonFlag } from './support/base-command';

export default class Rm extends HacoCommand {
  static override summary = 'Remove exited or stale containers: processes their dead supervisor left, their cgroups, their state dirs.';
  static override description =
    'Takes many names, or --all (every exited or stale container). The cgroups of all of them are removed in ONE ' +
    'launcher run (a host-only spec: --trace shows each rmdir and the cgroup lock); the shared haco parent goes ' +
    'with the last container. A container whose cgroups cannot be removed keeps its state and is reported; the ' +
    'others are removed anyway. A running container is refused unless -f: then it gets SIGKILL (its supervisor ' +
    'is told not to restart it) and is removed once the exit is recorded. The rootfs is not touched (`haco destroy ' +
    'FILE` removes that). Exit status: 0 all removed, else the first failure\'s (5: running or unknown). --json: an ' +
    'array with one {"name","ok","removedCgroups","killed"} per name (killed: processes a dead supervisor left behind).';
  static override examples = ['<%= config.bin %> rm web', '<%= config.bin %> rm -f web', '<%= config.bin %> rm web db cache', '<%= config.bin %> rm --all --json'];
  static override strict = false;
  static override args = { name: containerNamesArg('Container name(s); or --all.', false) };
  static override flags = {
    all: Flags.boolean({ description: 'Every exited or stale container.', default: false }),
    force: Flags.boolean({ char: 'f', description: 'Kill running containers first (SIGKILL), then remove them.', default: false }),
    json: jsonFlag,
    trace: Flags.boolean({ description: 'Print every step the launcher takes, as the syscalls it makes.', default: false }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Rm);
    const { selectTargets } = await import('../lifecycle/targets');
    const { removeContainers } = await import('../lifecycle/rm');
    const { reportPerName } = await import('./support/per-name');
    const names = selectTargets(argv as string[], flags.all, 'removable');
    // -f: kill the running ones first; one started with `-d --rm` is gone with its supervisor already.
    const { readState } = await import('../state');
    let gone: string[] = [];
    let killedFirst: string[] = [];
    if (flags.force) {
      const running = names.filter((n) => {
        const st = readState(n);
        return st !== undefined && st !== null && st.status !== 'exited' && st.status !== 'stale';
      });
      if (running.length > 0) {
        const { killContainers } = await import('../lifecycle/kill');
        const { constants } = await import('node:os');
        await killContainers(running, constants.signals.SIGKILL, 0);
        killedFirst = running;
        gone = running.filter((n) => !readState(n));
      }
    }
    reportPerName(
      [...(await removeContainers(names.filter((n) => !gone.includes(n)), { trace: flags.trace })), ...gone.map((name) => ({ name, removedCgroups: [] as string[], killed: 0 }))],
      flags.json,
      (r) => {
        const extra = [killedFirst.includes(r.name) ? 'killed it first' : '', r.killed ? `killed ${r.killed} process(es) its supervisor left` : '', r.removedCgroups.length ? `${r.removedCgroups.length} leftover cgroup(s)` : ''].filter(Boolean);
        return `removed ${r.name}${extra.length ? ` (${extra.join(', ')})` : ''}\n`;
      },
      (r) => ({ stopped: killedFirst.includes(r.name), killed: r.killed, removedCgroups: r.removedCgroups }),
    );
  }
}
