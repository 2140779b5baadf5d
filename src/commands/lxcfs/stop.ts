import { Flags } from '@oclif/core';
import { HacoCommand, jsonFlag } from '../support/base-command';
import { lxcfsLine } from './render';
import { mountpointFlag } from './start';

export default class LxcfsStop extends HacoCommand {
  static override summary = 'Stop the lxcfs that `haco lxcfs start` started (idempotent).';
  static override description =
    'Sends it SIGTERM (lxcfs unmounts itself) and waits until the mount is gone; a stale mount (its lxcfs was killed) ' +
    'is unmounted with fusermount3 -u. Refuses while running containers bind its files (--force stops it anyway: ' +
    'their reads then fail), and never stops an lxcfs haco did not start (lxcfs.service\'s).';
  static override examples = ['<%= config.bin %> lxcfs stop', '<%= config.bin %> lxcfs stop --force'];
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Stop it even while running containers use it.', default: false }),
    mountpoint: mountpointFlag,
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LxcfsStop);
    const { requireRoot } = await import('../../bootstrap/tools');
    requireRoot('lxcfs stop');
    const { stopLxcfs } = await import('../../lxcfs/daemon');
    const result = await stopLxcfs({ force: flags.force }, flags.mountpoint);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    process.stdout.write(result.stopped ? `lxcfs at ${result.mountpoint} stopped\n` : `${lxcfsLine(result)} — nothing to stop\n`);
  }
}
