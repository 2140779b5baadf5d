import { Flags } from '@oclif/core';
import { containerFlag, definitionArgs, HacoCommand, jsonFlag } from './support/base-command';
import { UsageError } from '../errors';
import { parseFileRef } from '../plan/pick';

export default class Destroy extends HacoCommand {
  static override summary = "Remove what a definition's containers left on the host: rootfs, provision record, state.";
  static override description =
    'The opposite of `haco create`: for each container of FILE (or FILE#NAME) it removes the exited/stale state ' +
    '(as `haco rm`), the rootfs haco built (an overlay container: its upper, work and merged dirs, never the lower ' +
    "layers), the provision record, and the container's home under /var/lib/haco once empty. A rootfs haco did not " +
    'build (bootstrap none, directory() without a source) is kept. A running container is refused (`haco rm -f NAME` ' +
    'first). On a terminal it lists everything and asks; elsewhere it refuses without --yes.\n\n' +
    '--json: an array of {"name","items":[{"what","path","kept"?}]}, what being state, rootfs, overlay-upper, ' +
    'overlay-work, provision-record, image-record (the pin of an image bootstrap) or home; "kept" says why an item was left alone.';
  static override examples = [
    'sudo <%= config.bin %> destroy first.haco.ts',
    'sudo <%= config.bin %> destroy examples/multi.haco.ts#web --yes',
    'sudo <%= config.bin %> destroy app.haco.ts --yes --json',
  ];
  static override args = definitionArgs;
  static override flags = {
    json: jsonFlag,
    container: containerFlag(),
    yes: Flags.boolean({ char: 'y', description: 'Do not ask (needed when stdin is not a terminal).', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Destroy);
    const ref = parseFileRef(args.file, flags.container);
    // An ordinary user works on their own containers (under their data root, in their user namespace).
    const { loadDefinition } = await import('../load/load');
    const { pickContainers } = await import('../plan/pick');
    const { destroyContainer, destroyTargets } = await import('../lifecycle/destroy');
    const loaded = await loadDefinition(ref.file);
    const containers = pickContainers(loaded.plan, ref.file, ref.container);
    if (!flags.yes) {
      if (!process.stdin.isTTY) {
        throw new UsageError(`haco destroy asks before it deletes, and stdin is not a terminal`, `add --yes to remove without asking: haco destroy ${args.file} --yes`);
      }
      const lines = containers.flatMap((c) => destroyTargets(c).map((i) => `  ${c.name}  ${i.what.padEnd(16)} ${i.path}${i.kept ? `  (kept: ${i.kept})` : ''}`));
      if (lines.length === 0) {
        process.stderr.write('nothing to remove\n');
      } else {
        process.stderr.write(`This removes:\n${lines.join('\n')}\n`);
        if (!(await confirm('Remove them? [y/N] '))) {
          process.stderr.write('nothing removed\n');
          process.exitCode = 1;
          return;
        }
      }
    }
    const results = [];
    for (const c of containers) results.push({ name: c.name, items: await destroyContainer(c) });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      return;
    }
    for (const r of results) {
      const removed = r.items.filter((i) => i.kept === undefined);
      const kept = r.items.filter((i) => i.kept !== undefined);
      process.stdout.write(`${r.name}: ${removed.length ? `removed ${removed.map((i) => i.path).join(', ')}` : 'nothing to remove'}\n`);
      for (const k of kept) process.stdout.write(`${r.name}: kept ${k.path} (${k.kept})\n`);
    }
  }
}

/** One line from the terminal: yes only for y/yes. */
async function confirm(question: string): Promise<boolean> {
  const readline = await import('node:readline/promises');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
