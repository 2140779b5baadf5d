import { containerNameArg, HacoCommand, jsonFlag } from './support/base-command';

export default class Inspect extends HacoCommand {
  static override summary = 'Show what the kernel says about a running container: namespaces, cgroup, capabilities, mounts.';
  static override description =
    'Compares the container\'s /proc/PID/ns/* inodes with the host\'s, reads its cgroup limits and usage (v1 or v2), ' +
    'decodes its capability sets from /proc/PID/status and lists its mounts (and overlay layers) from ' +
    '/proc/PID/mountinfo as it sees them. Reads only. Exit status: 0, or 5 when the container is not running.';
  static override examples = ['<%= config.bin %> inspect web', '<%= config.bin %> inspect web --json | jq .namespaces'];
  static override args = { name: containerNameArg('Container name (see `haco ps`).') };
  static override flags = { json: jsonFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Inspect);
    const { inspectContainer, renderInspect } = await import('../inspect');
    const report = inspectContainer(args.name);
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderInspect(report));
  }
}
