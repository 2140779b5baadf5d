import { Args, Flags } from '@oclif/core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HacoCommand } from './support/base-command';
import { UsageError } from '../errors';
import { isContainerName } from '../plan/names';

export default class Init extends HacoCommand {
  static override summary = 'Set up a folder for definitions: package.json, tsconfig.json and a first .haco.ts.';
  static override description =
    'Writes package.json ("type": "module"; haco, typescript and @types/node as dev dependencies), a tsconfig.json ' +
    'with which `npx tsc` type-checks every .haco.ts (a typo such as .dropCaps(\'net_rwa\') or .cpu(\'30 %\') fails ' +
    'there and in the editor), and a commented first definition. Files that exist are left as they are. Then: ' +
    '`npm install`, `npx tsc`, `haco create FILE`, `haco start FILE`.';
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init my-containers --name web'];
  static override args = { dir: Args.string({ description: 'The folder (created if missing; default: the current one).' }) };
  static override flags = {
    name: Flags.string({ char: 'n', description: 'Name of the example container (default "my-first").', default: 'my-first' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init);
    if (!isContainerName(flags.name)) throw new UsageError(`"${flags.name}" cannot be a container name`, 'use letters, digits, "-", "_" and "." — e.g. --name web');
    const { definitionFromTemplate, packageNameFor, projectPackageJson, PROJECT_TSCONFIG } = await import('../project/scaffold');
    const dir = args.dir ?? '.';
    fs.mkdirSync(dir, { recursive: true });
    const example = `${flags.name}.haco.ts`;
    const files: [string, string][] = [
      ['package.json', projectPackageJson(packageNameFor(dir))],
      ['tsconfig.json', PROJECT_TSCONFIG],
      [example, definitionFromTemplate(flags.name, `/var/lib/haco/${flags.name}/rootfs`, example)],
    ];
    for (const [name, text] of files) {
      const file = path.join(dir, name);
      try {
        fs.writeFileSync(file, text, { flag: 'wx' });
        process.stdout.write(`wrote ${file}\n`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        process.stdout.write(`kept ${file} (exists)\n`);
      }
    }
    const cd = dir === '.' ? '' : `cd ${dir} && `;
    process.stdout.write(`next: ${cd}npm install && npx tsc   # type-checks the definitions\n      haco create ${example} && haco start ${example}\n`);
  }
}
