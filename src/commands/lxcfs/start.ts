import { Flags } from '@oclif/core';
import { HacoCommand, jsonFlag } from '../support/base-command';
import { lxcfsLine } from './render';

export const mountpointFlag = Flags.string({ description: 'Where lxcfs is mounted (default /var/lib/lxcfs, as Debian\'s lxcfs.service).' });

export default class LxcfsStart extends HacoCommand {
  static override summary = 'Start lxcfs on the host for containers with .lxcfs() (idempotent).';
  static override description =
    'lxcfs is a FUSE file system whose /proc files show the reader\'s cgroup limits; containers with .lxcfs() bind them ' +
    'over their own /proc/meminfo, cpuinfo, stat, uptime, … It is one daemon for the whole host: this starts ' +
    '`lxcfs -l -p /run/haco/.lxcfs.pid MOUNTPOINT` in its own session (output in /run/haco/.lxcfs.log) and returns once ' +
    'it is mounted. An lxcfs already running there (e.g. lxcfs.service) is used as it is.';
  static override examples = ['<%= config.bin %> lxcfs start', '<%= config.bin %> lxcfs start --json'];
  static override flags = { mountpoint: mountpointFlag, json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(LxcfsStart);
    const { requireRoot } = await import('../../bootstrap/tools');
    requireRoot('lxcfs start');
    const { startLxcfs } = await import('../../lxcfs/daemon');
    const result = await startLxcfs(flags.mountpoint);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    if (result.command) process.stdout.write(`+ ${result.command.join(' ')}\n`);
    process.stdout.write(`${lxcfsLine(result)}${result.started ? '' : ' — already running, nothing started'}\n`);
  }
}
