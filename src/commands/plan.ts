import { Flags } from '@oclif/core';
import { containerFlag, definitionArgs, HacoCommand, jsonFlag } from './support/base-command';
import { applyToggles } from '../dsl/toggles';
import { toggleFlags, togglesFromFlags } from './support/toggle-flags';

export default class PlanCommand extends HacoCommand {
  static override summary = 'Evaluate a definition and print its plan.';
  static override description =
    'Bundles FILE with esbuild, evaluates it and prints what haco will do: a readable summary, the exact ' +
    'plan as JSON (--json, the contract the launcher and exports consume), or the launch spec the native ' +
    'launcher will execute step by step (--launch). A repeat run with unchanged inputs uses the plan cache.';
  static override examples = [
    '<%= config.bin %> plan examples/first.haco.ts',
    '<%= config.bin %> plan examples/first.haco.ts --json > first.plan.json',
    '<%= config.bin %> plan examples/first.haco.ts --launch',
    '<%= config.bin %> plan examples/multi.haco.ts#web --json',
    '<%= config.bin %> plan examples/first.haco.ts --share pid --cpu 30% --drop-cap sys_admin',
  ];
  static override args = definitionArgs;
  static override flags = {
    json: jsonFlag,
    launch: Flags.boolean({ description: 'Print the launch spec the native launcher reads (one container).', default: false }),
    container: containerFlag(),
    'no-cache': Flags.boolean({ description: 'Evaluate the file even if the plan cache is fresh.', default: false }),
    ...toggleFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanCommand);
    const { parseFileRef, pickContainers } = await import('../plan/pick');
    const ref = parseFileRef(args.file, flags.container);
    const { loadDefinition } = await import('../load/load');
    const loaded = await loadDefinition(ref.file, flags['no-cache'] ? { cache: false } : {}) // else HACO_NO_CACHE decides;
    let plan = loaded.plan;
    plan = { ...plan, containers: pickContainers(plan, ref.file, ref.container) };
    const toggles = togglesFromFlags(flags);
    plan = { ...plan, containers: plan.containers.map((c) => applyToggles(c, toggles)) };
    if (flags.launch) {
      const { renderLaunchSpecFor } = await import('../start/spec-for-plan');
      process.stdout.write(await renderLaunchSpecFor(plan, ref.container));
      return;
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
      return;
    }
    const chalk = (await import('../colour')).stdoutColours();
    const { summarizePlan } = await import('../plan/summary');
    process.stdout.write(summarizePlan(plan, { bold: chalk.bold, dim: chalk.dim }, { apparmor: (await import('../runtime/host-facts')).apparmorEnabled() }));
    const { planNotices } = await import('../rootless/plan-notices');
    for (const line of planNotices(plan.containers)) process.stdout.write(`${chalk.bold('notice (rootless):')} ${line}\n`);
  }
}
