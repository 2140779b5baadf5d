import { Args, Flags } from '@oclif/core';
import { HacoCommand, jsonFlag } from './support/base-command';

export default class Restore extends HacoCommand {
  static override summary = 'Restore a container from a `haco checkpoint` directory with criu.';
  static override description =
    'Runs `criu restore --restore-detached` with the images in DIR/criu: the processes continue where they ' +
    'were, in the same rootfs, in cgroups recreated with their limits, with the veth of a networked container ' +
    'put back on its bridge; the old stdout/stderr pipes now write to the container\'s log (`haco logs`). ' +
    'No supervisor process is resident for a restored container: haco records it with reason "restored" and ' +
    'the init as its own anchor, so `haco ps` shows it while it runs, `haco stop`/`kill` signal it, and `haco rm` ' +
    'clears it once gone. --name restores under another haco name (the cgroups are the checkpoint\'s). Exit ' +
    'status: 0 restored, 4 criu cannot work here, 5 not a checkpoint or the name is running. See docs/checkpoint.md.';
  static override examples = ['<%= config.bin %> restore /var/lib/haco-ckpt/web', '<%= config.bin %> restore /tmp/web.ckpt --name web2 --json'];
  static override args = { dir: Args.string({ description: 'Directory written by `haco checkpoint`.', required: true }) };
  static override flags = {
    name: Flags.string({ description: 'Restore under this name instead of the checkpointed one.' }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Restore);
    const { restoreContainer } = await import('../checkpoint/restore');
    const r = restoreContainer(args.dir, flags.name === undefined ? {} : { name: flags.name });
    if (flags.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else process.stdout.write(`${r.name}: restored from ${r.dir} (pid ${r.pid})\n`);
  }
}
