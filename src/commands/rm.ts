import { containerNamesArg, HacoCommand } from './support/base-command';

export default class Rm extends HacoCommand {
  static override summary = 'Remove an exited or stale container: processes its dead supervisor left, its cgroups, its state dir.';
  static override examples = ['<%= config.bin %> rm web'];
  static override strict = false;
  static override args = { name: containerNamesArg() };

  async run(): Promise<void> {
    const { argv } = await this.parse(Rm);
    const { removeContainer } = await import('../lifecycle/rm');
    for (const name of argv as string[]) {
      const r = removeContainer(name);
      const extra = [r.killed ? `killed ${r.killed} process(es) its supervisor left` : '', r.removedCgroups.length ? `${r.removedCgroups.length} leftover cgroup(s)` : ''].filter(Boolean);
      process.stdout.write(`removed ${name}${extra.length ? ` (${extra.join(', ')})` : ''}\n`);
    }
  }
}
