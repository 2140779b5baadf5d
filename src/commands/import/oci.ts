import * as fs from 'node:fs';
import * as path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { HacoCommand, jsonFlag } from '../support/base-command';
import { EXIT, HacoError } from '../../errors';

export default class ImportOci extends HacoCommand {
  static override summary = 'Write a .haco.ts from an OCI runtime config.json or bundle directory.';
  static override description =
    'Reads runtime-spec config.json (from runc, `docker/podman` bundles or `haco export oci`) and writes the ' +
    'same container with the DSL: rootfs, command, env, user, capabilities, rlimits, namespaces, id maps, ' +
    'mounts, cgroup limits, devices, hooks. What the DSL cannot say (a custom seccomp filter, cpu shares…) is ' +
    'listed as comments at the top and on stderr. See docs/oci.md.';
  static override examples = ['<%= config.bin %> import oci ./bundle -o app.haco.ts', '<%= config.bin %> import oci config.json'];
  static override args = { config: Args.string({ description: 'config.json or a bundle directory holding one.', required: true }) };
  static override flags = {
    json: jsonFlag,
    output: Flags.string({ char: 'o', description: 'The .haco.ts to write (default: stdout). Never overwritten.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImportOci);
    const { configToDefinition } = await import('../../oci/import');
    const given = path.resolve(args.config);
    const file = fs.existsSync(given) && fs.statSync(given).isDirectory() ? path.join(given, 'config.json') : given;
    let config;
    try {
      config = JSON.parse(fs.readFileSync(file, 'utf8')) as Parameters<typeof configToDefinition>[0];
    } catch (error) {
      throw new HacoError('E_IMPORT', `${file}: ${(error as Error).message}`, { hint: 'give an OCI runtime config.json or the bundle directory holding it (`runc spec` makes one)', exitCode: EXIT.usage });
    }
    if (typeof config !== 'object' || config === null || typeof config.ociVersion !== 'string') {
      throw new HacoError('E_IMPORT', `${file} is not an OCI runtime config (no ociVersion)`, { hint: 'give an OCI runtime config.json (`runc spec` makes one)', exitCode: EXIT.usage });
    }
    const { source, notes } = configToDefinition(config, path.dirname(file));
    if (flags.output) {
      const out = path.resolve(flags.output);
      if (fs.existsSync(out)) throw new HacoError('E_EXISTS', `${out} exists`, { hint: 'choose another name', exitCode: EXIT.usage });
      fs.writeFileSync(out, source);
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ source, notes, ...(flags.output ? { output: path.resolve(flags.output) } : {}) }, null, 2)}\n`);
      return;
    }
    for (const n of notes) process.stderr.write(`haco: not imported: ${n}\n`);
    if (!flags.output) process.stdout.write(source);
    else process.stdout.write(`${path.resolve(flags.output)}\n`);
  }
}
