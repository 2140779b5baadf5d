import * as path from 'node:path';
import { Flags } from '@oclif/core';
import { containerFlag, definitionArgs, HacoCommand, jsonFlag } from './support/base-command';
import { parseFileRef } from '../plan/pick';

export default class ProvisionCommand extends HacoCommand {
  static override summary = 'Run the provision steps of a definition inside its rootfs.';
  static override description =
    'Copies the provision files in, then runs each named step inside the rootfs with `sh -xe` (own mount ' +
    'and pid namespaces; proc, sys, a minimal dev and a tmpfs /tmp; the host resolv.conf and hosts), ' +
    'its output prefixed [provision.NAME]. Stops at the first failing step and exits with its code. ' +
    'Steps whose text did not change since their last success are skipped (the record is in ' +
    '/var/lib/haco/NAME/provisioned.json, not in the rootfs).';
  static override examples = [
    'sudo <%= config.bin %> provision app.haco.ts',
    'sudo <%= config.bin %> provision app.haco.ts --only packages,users',
    'sudo <%= config.bin %> provision app.haco.ts --always',
  ];
  static override args = definitionArgs;
  static override flags = {
    json: jsonFlag,
    container: containerFlag(),
    only: Flags.string({ description: 'Comma-separated step names to run (the others are left alone).' }),
    always: Flags.boolean({ description: 'Run the steps even if they did not change.', default: false }),
  };

  protected override readonly jsonEvents = true;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ProvisionCommand);
    const ref = parseFileRef(args.file, flags.container);
    // An ordinary user works on their own containers (under their data root, in their user namespace).
    const { loadDefinition } = await import('../load/load');
    const { createReporter } = await import('../progress/reporter');
    const { withReporter } = await import('./support/command-support');
    const { pickContainers } = await import('../plan/pick');
    const { withCancel } = await import('../progress/cancel');
    const { provisionRootfs } = await import('../provision/provision');

    const loaded = await loadDefinition(ref.file);
    const only = flags.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const containers = pickContainers(loaded.plan, ref.file, ref.container);
    const reporter = createReporter({ json: flags.json });
    await withReporter(reporter, () =>
      withCancel(async (signal) => {
        for (const container of containers) {
          if (only && !container.provision.steps.some((s) => only.includes(s.name)) && containers.length > 1) continue;
          const result = await provisionRootfs(container, {
            reporter,
            baseDir: path.dirname(loaded.file),
            ...(only ? { only } : {}),
            always: flags.always,
            signal,
          });
          reporter.result(container.name, 'provisioned', { ran: result.ran.length, unchanged: result.skipped.length });
        }
      }),
    );
  }
}
