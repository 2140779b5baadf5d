import { Flags } from '@oclif/core';
import { containerFlag, definitionArgs, HacoCommand, jsonFlag } from '../support/base-command';
import { parseFileRef } from '../../plan/pick';

export default class ExportOci extends HacoCommand {
  static override summary = 'Write an OCI runtime bundle (config.json + rootfs) that runc runs.';
  static override description =
    'Maps the plan onto runtime-spec config.json (namespaces, mounts, capabilities, rlimits, seccomp, device ' +
    'cgroup, cgroup resources, uid/gid maps, hooks) and copies the created rootfs beside it (an overlay rootfs — ' +
    "layers, or b.image(REF, { layers: 'shared' }) — as the merged tree the container sees). Whatever has no " +
    'place in the runtime spec (bridged network, restart policy, stdio files…) is listed on stderr and in ' +
    '--json. Run it with `sudo runc run -b DIR ID`. See docs/oci.md for the mapping table.';
  static override examples = [
    'sudo <%= config.bin %> export oci examples/first.haco.ts -o /tmp/first.bundle && sudo runc run -b /tmp/first.bundle first',
    'sudo <%= config.bin %> export oci app.haco.ts -c web -o web.bundle --json',
  ];
  static override args = definitionArgs;
  static override flags = {
    json: jsonFlag,
    container: containerFlag('The container to export (needed when the file has several).'),
    output: Flags.string({ char: 'o', description: 'The bundle directory to write (new or empty).', required: true }),
    link: Flags.boolean({ description: "Point root.path at haco's rootfs instead of copying it (not for an overlay rootfs: its path is only a mount point outside a run).", default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ExportOci);
    const ref = parseFileRef(args.file, flags.container);
    const { requireRoot } = await import('../../bootstrap/tools');
    const { loadDefinition } = await import('../../load/load');
    const { pickContainer } = await import('../../plan/pick');
    const { writeBundle } = await import('../../oci/bundle');
    const loaded = await loadDefinition(ref.file);
    const container = pickContainer(loaded.plan, ref.file, ref.container);
    if (!flags.link) requireRoot('export oci');
    const result = await writeBundle(container, flags.output, { link: flags.link });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ container: container.name, ...result }, null, 2)}\n`);
      return;
    }
    for (const u of result.unmapped) process.stderr.write(`haco: not mapped: ${u.field}: ${u.reason}\n`);
    process.stdout.write(`${result.bundle}\n`);
  }
}
