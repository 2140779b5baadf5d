import { Args } from '@oclif/core';
import { HacoCommand } from '../cli/base-command';

export default class Rm extends HacoCommand {
  static override summary = 'Remove an exited or stale container: its state dir and leftover empty cgroups.';
  static override examples = ['<%= config.bin %> rm web'];
  static override strict = false;
  static override args = { name: Args.string({ description: 'Container name(s).', required: true }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(Rm);
    const { removeContainer } = await import('../lifecycle/rm');
    for (const name of argv as string[]) {
      const r = removeContainer(name);
      process.stdout.write(`removed ${name}${r.removedCgroups.length ? ` (and ${r.removedCgroups.length} leftover cgroup(s))` : ''}\n`);
    }
  }
}
