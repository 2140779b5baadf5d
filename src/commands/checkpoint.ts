import { Flags } from '@oclif/core';
import { containerNameArg, HacoCommand, jsonFlag } from './support/base-command';

export default class Checkpoint extends HacoCommand {
  static override summary = "Checkpoint a running container with criu: its processes, memory, cgroup limits and network into a directory.";
  static override description =
    'Runs `criu dump` on the container\'s process tree (--manage-cgroups=full, its bind mounts and host files ' +
    'as external mounts, --tcp-established when it has a network) into DIR/criu and writes DIR/haco-checkpoint.json ' +
    '(the plan, cgroups, stdio pipes, kernel and criu version) beside it. Without --leave-running the container ' +
    'is gone afterwards (its supervisor records the exit and cleans up); `haco restore DIR` brings it back. ' +
    'Needs root and a kernel criu supports: `criu check` runs first, and on a kernel where it fails the error ' +
    'names the reason (E_CRIU_UNAVAILABLE; `haco doctor` shows the same check). Exit status: 0 done, 4 criu ' +
    'cannot work here, 5 not running. See docs/checkpoint.md.';
  static override examples = ['<%= config.bin %> checkpoint web -o /var/lib/haco-ckpt/web', '<%= config.bin %> checkpoint web -o /tmp/web.ckpt --leave-running --json'];
  static override args = { name: containerNameArg('Name of the running container.') };
  static override flags = {
    output: Flags.string({ char: 'o', description: 'Directory for the checkpoint (new or empty).', required: true }),
    'leave-running': Flags.boolean({ description: 'Keep the container running after the dump.', default: false }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Checkpoint);
    const { checkpointContainer } = await import('../checkpoint/checkpoint');
    const r = checkpointContainer(args.name, flags.output, { leaveRunning: flags['leave-running'] });
    if (flags.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else process.stdout.write(`${r.name}: checkpointed (pid ${r.pid}) into ${r.dir}${r.leftRunning ? '; still running' : '; stopped'}\n`);
  }
}
