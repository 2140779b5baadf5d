import { Flags } from '@oclif/core';
import { containerFlag, definitionArgs, HacoCommand, jsonFlag } from '../support/base-command';
import { parseFileRef } from '../../plan/pick';

export default class ExportImage extends HacoCommand {
  static override summary = 'Write the rootfs and process as an OCI image (layout dir or oci-archive).';
  static override description =
    'umoci packs the created rootfs as one layer (an overlay rootfs as its merged tree) and sets the image config from the plan: argv as ' +
    'Entrypoint, the environment, workdir, uid:gid and exposed ports. `skopeo inspect`, `podman load` and ' +
    '`podman run` read the result. The isolation settings are not part of an image: `haco export kube` or ' +
    '`haco export oci` carry them.';
  static override examples = [
    'sudo <%= config.bin %> export image app.haco.ts -o app.tar && podman load -i app.tar',
    'sudo <%= config.bin %> export image app.haco.ts -o app-layout --format oci --tag v1',
  ];
  static override args = definitionArgs;
  static override flags = {
    json: jsonFlag,
    container: containerFlag('The container to export (needed when the file has several).'),
    output: Flags.string({ char: 'o', description: 'Where to write (must not exist).', required: true }),
    format: Flags.string({ description: 'oci-archive (a tar file, default) or oci (a layout directory).', options: ['oci-archive', 'oci'], default: 'oci-archive' }),
    tag: Flags.string({ description: 'The name in an archive (default haco/NAME:latest, which `podman load` names localhost/haco/NAME:latest) or the tag in a layout (default latest).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ExportImage);
    const ref = parseFileRef(args.file, flags.container);
    const { requireRoot } = await import('../../bootstrap/tools');
    const { loadDefinition } = await import('../../load/load');
    const { pickContainer } = await import('../../plan/pick');
    const { exportImage } = await import('../../oci/image-export');
    const loaded = await loadDefinition(ref.file);
    const container = pickContainer(loaded.plan, ref.file, ref.container);
    requireRoot('export image');
    const result = await exportImage(container, flags.output, { format: flags.format as 'oci' | 'oci-archive', ...(flags.tag === undefined ? {} : { tag: flags.tag }) });
    if (flags.json) process.stdout.write(`${JSON.stringify({ container: container.name, ...result }, null, 2)}\n`);
    else process.stdout.write(`${result.reference}\n`);
  }
}
