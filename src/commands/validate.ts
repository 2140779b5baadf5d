import { definitionArgs, HacoCommand, jsonFlag } from './support/base-command';

export default class Validate extends HacoCommand {
  static override summary = 'Check a definition file: syntax, types of values, and every semantic rule.';
  static override description =
    'Bundles and evaluates FILE like `haco plan`, then prints "ok" or every problem with its file:line:column, ' +
    'the source line, and a hint. Exit status 0 when valid, 3 when the definition is invalid.';
  static override examples = ['<%= config.bin %> validate web.haco.ts', '<%= config.bin %> validate web.haco.ts --json'];
  static override args = definitionArgs;
  static override flags = { json: jsonFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Validate);
    const { parseFileRef, pickContainers } = await import('../plan/pick');
    const ref = parseFileRef(args.file);
    const { loadDefinition } = await import('../load/load');
    const loaded = await loadDefinition(ref.file);
    const names = pickContainers(loaded.plan, ref.file, ref.container).map((c) => c.name);
    if (flags.json) process.stdout.write(`${JSON.stringify({ ok: true, containers: names }, null, 2)}\n`);
    else process.stdout.write(`ok: ${ref.file} defines ${names.length === 1 ? 'container' : 'containers'} ${names.join(', ')}\n`);
  }
}
