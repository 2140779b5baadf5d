import { Args, Flags } from '@oclif/core';
import { HacoCommand, jsonFlag } from './support/base-command';

export default class Prune extends HacoCommand {
  static override summary = 'Remove the empty cgroups that killed launchers left under haco/.';
  static override description =
    'A launcher killed together with its cleanup watcher (or a power loss mid-cleanup) can leave a container\'s ' +
    'cgroups behind. `haco start NAME` removes those of NAME only (so its cost does not grow with the number of ' +
    'containers); this removes every one (or those of the NAMEs given): empty haco cgroups older than 30 s. The ' +
    'launcher removes them (a host-only spec: --trace shows each rmdir); one that is in use again is left. ' +
    'State dirs of exited containers stay: `haco rm NAME` removes those. --images also removes the shared image ' +
    "layers (b.image(REF, { layers: 'shared' }), under the image cache's layers/) that no container's pin uses, " +
    'under the cache lock (only the pins of this state root are read).';
  static override examples = ['<%= config.bin %> prune', '<%= config.bin %> prune --trace web', '<%= config.bin %> prune --images'];
  static override strict = false;
  static override args = { name: Args.string({ description: 'Only the leftovers of these container names (default: all).', required: false }) };
  static override flags = {
    json: jsonFlag,
    images: Flags.boolean({ description: 'Also remove shared image layers no container uses.', default: false }),
    trace: Flags.boolean({ description: 'Print every step the launcher takes, as the syscalls it makes.', default: false }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Prune);
    const names = argv as string[];
    const { detectHostFacts } = await import('../runtime/host-facts');
    const { sweepStaleCgroups } = await import('../start/sweep');
    const removed = sweepStaleCgroups(detectHostFacts().cgroup, { trace: flags.trace, ...(names.length > 0 ? { names } : {}) });
    const layers = flags.images ? await (await import('../bootstrap/prune-image-layers')).pruneUnusedLayers() : undefined;
    if (flags.json) process.stdout.write(`${JSON.stringify({ removedCgroups: removed, ...(layers ? { removedLayers: layers } : {}) }, null, 2)}\n`);
    else {
      process.stdout.write(removed.length === 0 ? 'no leftover cgroups\n' : `removed ${removed.length} leftover cgroup(s):\n${removed.map((d) => `  ${d}\n`).join('')}`);
      if (layers) process.stdout.write(layers.length === 0 ? 'no unused image layers\n' : `removed ${layers.length} unused image layer(s):\n${layers.map((d) => `  ${d}\n`).join('')}`);
    }
  }
}
