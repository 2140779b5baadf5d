import * as path from 'node:path';
import { Flags } from '@oclif/core';
import { containerFlag, definitionArgs, HacoCommand, jsonFlag } from './support/base-command';
import { parseFileRef } from '../plan/pick';

export default class CreateCommand extends HacoCommand {
  static override summary = 'Build the rootfs of a definition: bootstrap, then provision.';
  static override description =
    'Runs the bootstrap strategy (host, busybox, debootstrap, lxc, tarball, image, directory, shell) into a ' +
    'temporary tree beside the rootfs path and renames it into place only when everything succeeded, ' +
    'then runs the provision steps inside it. An existing rootfs is kept (its provision steps still run ' +
    'if they changed) unless --force. Overlay containers only get their upper/work/merged dirs. ' +
    'Progress goes to stderr; stdout gets the rootfs path of each container (or JSON events with --json).';
  static override examples = [
    'sudo <%= config.bin %> create examples/first.haco.ts',
    'sudo <%= config.bin %> create debian.haco.ts --force',
    'sudo <%= config.bin %> create app.haco.ts -c web --no-provision',
    'sudo <%= config.bin %> create app.haco.ts --json | jq -c .',
  ];
  static override args = definitionArgs;
  static override flags = {
    json: jsonFlag,
    container: containerFlag(),
    force: Flags.boolean({ char: 'f', description: 'Rebuild the rootfs even if it exists (the old one is replaced only on success).', default: false }),
    provision: Flags.boolean({ description: 'Run the provision steps after bootstrap (--no-provision skips them).', default: true, allowNo: true }),
  };

  protected override readonly jsonEvents = true;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CreateCommand);
    const ref = parseFileRef(args.file, flags.container);
    const { requireRootFor } = await import('../bootstrap/tools');
    const { loadDefinition } = await import('../load/load');
    const { createReporter } = await import('../progress/reporter');
    const { withReporter } = await import('./support/command-support');
    const { pickContainers } = await import('../plan/pick');
    const { orderByLayers } = await import('../bootstrap/layers');
    const { readyRootfs } = await import('../provision/ready-rootfs');

    const loaded = await loadDefinition(ref.file);
    const baseDir = path.dirname(loaded.file);
    const all = loaded.plan.containers;
    const containers = orderByLayers(pickContainers(loaded.plan, ref.file, ref.container));
    requireRootFor('create', containers);
    const reporter = createReporter({ json: flags.json });
    await withReporter(reporter, async () => {
      for (const container of containers) {
        const { created, provisioned } = await readyRootfs(container, { force: flags.force, provision: flags.provision, reporter, baseDir, others: all });
        reporter.result(container.name, created.outcome, {
          rootfs: created.rootfs,
          ms: created.ms,
          provisioned: provisioned.ran.length,
          unchanged: provisioned.skipped.length,
        });
        if (!flags.json) process.stdout.write(`${created.rootfs}\n`);
      }
    });
  }
}
