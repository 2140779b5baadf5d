import { Args, Flags } from '@oclif/core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isContainerName } from '../plan/names';
import { HacoCommand, jsonFlag } from './support/base-command';
import { EXIT, HacoError, UsageError } from '../errors';
import { definitionFromTemplate } from '../project/scaffold';

export default class New extends HacoCommand {
  static override summary = 'Write a new, commented container definition.';
  static override description =
    'Writes FILE (default: NAME.haco.ts) from the template in templates/: a working container that uses the ' +
    'host bootstrap (no download), with every setting commented. Refuses to overwrite an existing file. ' +
    '`haco start --create FILE` then builds the rootfs and starts it in one command. --json: {"file","name","rootfs"}.';
  static override examples = [
    '<%= config.bin %> new demo.haco.ts',
    '<%= config.bin %> new --name web --root /var/lib/haco/web/rootfs',
  ];
  static override args = { file: Args.string({ description: 'The file to write (default NAME.haco.ts).' }) };
  static override flags = {
    json: jsonFlag,
    name: Flags.string({ char: 'n', description: 'Container name (default: derived from FILE, else "my-first").' }),
    root: Flags.string({ char: 'r', description: 'Rootfs path (default /var/lib/haco/NAME/rootfs).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(New);
    const fromFile = args.file ? path.basename(args.file).replace(/\.haco\.ts$|\.ts$/, '') : undefined;
    const name = flags.name ?? fromFile ?? 'my-first';
    if (!isContainerName(name)) {
      throw new UsageError(`"${name}" cannot be a container name`, 'use letters, digits, "-", "_" and "." — e.g. --name web');
    }
    const file = args.file ?? `${name}.haco.ts`;
    const root = flags.root ?? `/var/lib/haco/${name}/rootfs`;
    if (fs.existsSync(file)) {
      throw new HacoError('E_EXISTS', `${file} already exists; haco new does not overwrite files`, {
        hint: 'choose another file name, or remove the file first',
        exitCode: EXIT.state,
      });
    }
    fs.writeFileSync(file, definitionFromTemplate(name, root, file), { flag: 'wx' });
    if (flags.json) process.stdout.write(`${JSON.stringify({ file, name, rootfs: root }, null, 2)}\n`);
    else process.stdout.write(`wrote ${file} (container "${name}", rootfs ${root})\nnext: haco start --create ${file}\n`);
  }
}
