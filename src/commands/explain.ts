import { Flags } from '@oclif/core';
import { containerFlag, definitionArgs, HacoCommand, jsonFlag } from './support/base-command';
import { applyToggles } from '../dsl/toggles';
import { toggleFlags, togglesFromFlags } from './support/toggle-flags';
import { PLAN_API_VERSION } from '../plan/types';

export default class ExplainCommand extends HacoCommand {
  static override summary = 'Explain in plain words what a definition will do, step by step.';
  static override description =
    'Walks through the launch spec `haco start` would hand the launcher on this host, in its order — cgroup ' +
    '(with this host\'s cgroup paths, v1 or v2), clone with its namespaces, uid maps, mounts, pivot_root, ' +
    'capabilities, rlimits, seccomp, exec — saying what each step isolates or limits, which system calls it ' +
    'comes down to and how to see it, then lists what stays shared with the host. Toggle flags show the effect of ' +
    'a change without editing the file (compare `haco explain FILE` with `haco explain FILE --share pid`).';
  static override examples = [
    '<%= config.bin %> explain examples/first.haco.ts',
    '<%= config.bin %> explain examples/first.haco.ts --share pid --cpu 30%',
    '<%= config.bin %> explain examples/multi.haco.ts#web --json',
  ];
  static override args = definitionArgs;
  static override flags = {
    json: jsonFlag,
    container: containerFlag(),
    'no-cache': Flags.boolean({ description: 'Evaluate the file even if the plan cache is fresh.', default: false }),
    ...toggleFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ExplainCommand);
    const { parseFileRef, pickContainers } = await import('../plan/pick');
    const ref = parseFileRef(args.file, flags.container);
    const { loadDefinition } = await import('../load/load');
    const { explainContainer, renderExplanation } = await import('../explain/explain');
    const loaded = await loadDefinition(ref.file, flags['no-cache'] ? { cache: false } : {}) // else HACO_NO_CACHE decides;
    const containers = pickContainers(loaded.plan, ref.file, ref.container);
    const toggles = togglesFromFlags(flags);
    const { detectHostFacts } = await import('../runtime/host-facts');
    const host = detectHostFacts();
    const explanations = containers.map((c) => explainContainer(applyToggles(c, toggles), host));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ apiVersion: PLAN_API_VERSION, source: loaded.file, containers: explanations }, null, 2)}\n`);
      return;
    }
    const chalk = (await import('../colour')).stdoutColours();
    const style = { bold: chalk.bold, dim: chalk.dim, cyan: chalk.cyan };
    process.stdout.write(explanations.map((e) => renderExplanation(e, style)).join('\n'));
  }
}
