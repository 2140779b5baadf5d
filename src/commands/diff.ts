import { Flags } from '@oclif/core';
import { containerFlag, definitionFileArg, HacoCommand, optionalDefinitionFileArg, jsonFlag } from './support/base-command';
import { UsageError } from '../errors';
import { applyToggles, hasToggles } from '../dsl/toggles';
import { toggleFlags, togglesFromFlags } from './support/toggle-flags';
import type { Plan } from '../plan/types';

export default class DiffCommand extends HacoCommand {
  static override summary = 'Show what changes between two definitions (exit 0 when equal, 1 when different).';
  static override description =
    'Evaluates both files and compares their plans field by field, container by container (matched by name; ' +
    'two single-container files are compared whatever their names). FILE#NAME picks one container of a file. ' +
    'Toggle flags apply to the second side, and with toggle flags the second file may be left out: ' +
    '`haco diff FILE --share pid` shows what --share pid changes. Like diff(1): exit 0 when equal, 1 when different.';
  static override examples = [
    '<%= config.bin %> diff examples/cgroup-cpu.haco.ts examples/first.haco.ts',
    '<%= config.bin %> diff examples/multi.haco.ts#web examples/multi.haco.ts#worker',
    '<%= config.bin %> diff examples/first.haco.ts --share pid --cpu 30%',
  ];
  static override args = {
    a: definitionFileArg('The first .haco.ts file (FILE or FILE#CONTAINER).'),
    b: optionalDefinitionFileArg('The second file (default: the first, with the toggle flags applied).'),
  };
  static override flags = {
    json: jsonFlag,
    container: containerFlag('Only compare this container (present on both sides).'),
    'no-cache': Flags.boolean({ description: 'Evaluate the files even if the plan cache is fresh.', default: false }),
    ...toggleFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DiffCommand);
    const toggles = togglesFromFlags(flags);
    if (args.b === undefined && !hasToggles(toggles)) {
      throw new UsageError('haco diff needs a second file or toggle flags', 'e.g. `haco diff a.haco.ts b.haco.ts` or `haco diff a.haco.ts --share pid`');
    }
    // undefined: HACO_NO_CACHE=1 still turns the cache off (src/load/load.ts)
    const cache = flags['no-cache'] ? false : undefined;
    const a = await side(args.a, flags.container, cache);
    const b = await side(args.b ?? args.a, flags.container, cache);
    const toggled: Plan = { ...b, containers: b.containers.map((c) => applyToggles(c, toggles)) };
    const { diffPlans } = await import('../diff/diff-plans');
    const diff = diffPlans(a, toggled);
    const labels = { a: args.a, b: args.b ?? `${args.a} with the flags` };
    if (flags.json) process.stdout.write(`${JSON.stringify(diff, null, 2)}\n`);
    else {
      const chalk = (await import('../colour')).stdoutColours();
      const { renderDiff } = await import('../diff/render');
      process.stdout.write(renderDiff(diff, labels, { bold: chalk.bold, green: chalk.green, red: chalk.red, dim: chalk.dim }));
    }
    process.exitCode = diff.equal ? 0 : 1;
  }
}

/** Load `FILE` or `FILE#NAME`, keeping only the named container when one is given. */
async function side(spec: string, container: string | undefined, cache: false | undefined): Promise<Plan> {
  const { loadDefinition } = await import('../load/load');
  const { parseFileRef, pickContainers } = await import('../plan/pick');
  // FILE#NAME wins over -c here: `diff a.haco.ts#web b.haco.ts -c web` picks web on both sides.
  const ref = parseFileRef(spec);
  const { plan } = await loadDefinition(ref.file, cache === false ? { cache } : {});
  return { ...plan, containers: pickContainers(plan, ref.file, ref.container ?? container) };
}
