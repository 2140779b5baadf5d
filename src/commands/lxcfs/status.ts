import { HacoCommand, jsonFlag } from '../support/base-command';
import { lxcfsLine } from './render';
import { mountpointFlag } from './start';

export default class LxcfsStatus extends HacoCommand {
  static override summary = 'Tell whether lxcfs runs, who started it and which containers use it.';
  static override description = 'Reads /proc/self/mountinfo (a fuse.lxcfs mount), the pid file of `haco lxcfs start` and the running containers\' plans. Exit status 0 in every case.';
  static override examples = ['<%= config.bin %> lxcfs status', '<%= config.bin %> lxcfs status --json'];
  static override flags = { mountpoint: mountpointFlag, json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(LxcfsStatus);
    const { lxcfsStatus } = await import('../../lxcfs/daemon');
    const status = lxcfsStatus(flags.mountpoint);
    process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : `${lxcfsLine(status)}\n`);
  }
}
