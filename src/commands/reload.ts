import { Flags } from '@oclif/core';
import { containerFlag, definitionArgs, HacoCommand, jsonFlag } from './support/base-command';
import { parseFileRef } from '../plan/pick';
import { HacoError } from '../errors';

export default class Reload extends HacoCommand {
  static override summary = 'Apply changed cgroup limits and rlimits of FILE to its running container.';
  static override description =
    'Re-evaluates FILE and compares it with the plan the container runs. Changed rlimits are set on its ' +
    'processes (prlimit(2)) and changed cgroup limits written to its cgroup files, by the launcher from a ' +
    'host-only spec, in an order the kernel accepts (e.g. on cgroup v1 memsw before the memory limit when ' +
    'raising past it). Anything else (namespaces, mounts, the command…) is refused with the list of changes. ' +
    'afterReload hooks run afterwards. --trace shows each system call. --json: {"name","pid","applied":[…]} ' +
    '(the changes applied, as the text lists them; empty when nothing changed).';
  static override examples = [
    '<%= config.bin %> reload examples/reload.haco.ts',
    '<%= config.bin %> reload --trace examples/reload.haco.ts',
    '<%= config.bin %> reload --spec examples/reload.haco.ts',
    '<%= config.bin %> reload --json examples/multi.haco.ts#web',
  ];
  static override args = definitionArgs;
  static override flags = {
    json: jsonFlag,
    container: containerFlag('Which container of the file.'),
    trace: Flags.boolean({ description: 'Print every step the launcher takes, as the syscalls it makes.', default: false }),
    spec: Flags.boolean({ description: 'Print the host-only spec the launcher would run, and change nothing.', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Reload);
    const ref = parseFileRef(args.file, flags.container);
    const { loadDefinition } = await import('../load/load');
    const { pickContainer } = await import('../plan/pick');
    const { detectHostFacts } = await import('../runtime/host-facts');
    const { planReload, applyReload, compileReloadSpec, saveReloadedPlan } = await import('../lifecycle/reload');
    const { runHostHooks } = await import('../lifecycle/hooks');
    const loaded = await loadDefinition(ref.file);
    const next = pickContainer(loaded.plan, ref.file, ref.container);
    const plan = planReload(next.name, next, detectHostFacts().cgroup);
    if (plan.steps.length === 0) {
      process.stdout.write(flags.json ? `${JSON.stringify({ name: plan.name, pid: plan.pid, applied: [] }, null, 2)}\n` : `${plan.name}: nothing to reload\n`);
      return;
    }
    const { readState } = await import('../state');
    const tracking = readState(plan.name)?.recorded.meta['tracking'];
    const { cgroupPids } = await import('../cgroup/procs');
    // Every process of the container takes the new rlimits; without the cgroup, only the init.
    const inCgroup = tracking ? cgroupPids(tracking) : [];
    const pids = inCgroup.length > 0 ? inCgroup : [plan.pid];
    if (flags.spec) {
      process.stdout.write(compileReloadSpec(plan, pids).render().text);
      return;
    }
    applyReload(plan, pids, { trace: flags.trace });
    saveReloadedPlan(plan);
    if (flags.json) process.stdout.write(`${JSON.stringify({ name: plan.name, pid: plan.pid, applied: plan.steps.map((s) => s.what) }, null, 2)}\n`);
    else process.stdout.write(`reloaded ${plan.name} (pid ${plan.pid}):\n${plan.steps.map((s) => `  ${s.what}\n`).join('')}`);
    const failed = runHostHooks(next, 'afterReload', { pid: plan.pid, stateDir: plan.stateDir });
    if (failed.length > 0) {
      throw new HacoError('E_HOOK_FAILED', `afterReload hook ${failed.map((f) => `${f.command.join(' ')} (status ${f.status})`).join(', ')} failed`, {
        hint: 'the new limits are applied; fix the hook',
      });
    }
  }
}
