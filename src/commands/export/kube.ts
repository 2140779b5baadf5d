import { Flags } from '@oclif/core';
import { containerFlag, definitionArgs, HacoCommand, jsonFlag } from '../support/base-command';
import { parseFileRef } from '../../plan/pick';
import { EXIT, HacoError } from '../../errors';

export default class ExportKube extends HacoCommand {
  static override summary = 'Print a Kubernetes Pod (or Deployment) manifest for a container.';
  static override description =
    'Maps the plan onto a core/v1 Pod: image, command, env, workingDir, cpu/memory limits, securityContext ' +
    '(capabilities as drop ALL + add, runAsUser/Group, readOnlyRootFilesystem, allowPrivilegeEscalation, ' +
    'seccompProfile), ports, binds as hostPath volumes, tmpfs as memory emptyDirs. The manifest is JSON, which ' +
    'is YAML: `kubectl apply -f` and `podman kube play` read it. What Kubernetes has no field for is listed on ' +
    'stderr (and in --json). --image names the image (see `haco export image`); a docker:// bootstrap is the default. ' +
    '--kind deployment wraps the same Pod in an apps/v1 Deployment of one replica (restartPolicy Always, which ' +
    'Deployments require; another restart policy is listed as not mapped).';
  static override examples = [
    '<%= config.bin %> export kube app.haco.ts --image registry.example/app:1 > app.pod.yaml',
    'podman kube play app.pod.yaml',
    '<%= config.bin %> export kube app.haco.ts --kind deployment --image registry.example/app:1 | kubectl apply -f -',
  ];
  static override args = definitionArgs;
  static override flags = {
    json: jsonFlag,
    container: containerFlag('The container to export (needed when the file has several).'),
    image: Flags.string({ description: 'The image the Pod runs (default: the docker:// reference of an image bootstrap).' }),
    kind: Flags.string({ description: 'pod (a core/v1 Pod, default) or deployment (an apps/v1 Deployment, 1 replica).', options: ['pod', 'deployment'], default: 'pod' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ExportKube);
    const ref = parseFileRef(args.file, flags.container);
    const { loadDefinition } = await import('../../load/load');
    const { pickContainer } = await import('../../plan/pick');
    const { toKubeDeployment, toKubePod } = await import('../../oci/kube');
    const loaded = await loadDefinition(ref.file);
    const container = pickContainer(loaded.plan, ref.file, ref.container);
    const b = container.bootstrap;
    const image = flags.image ?? (b.strategy === 'image' && b.image.startsWith('docker://') ? b.image.slice('docker://'.length) : undefined);
    if (!image) {
      throw new HacoError('E_NO_IMAGE', `"${container.name}" has no image a cluster could pull`, {
        hint: 'export one and name it: sudo haco export image FILE -o app.tar, push it, then haco export kube FILE --image REGISTRY/app:TAG',
        exitCode: EXIT.usage,
      });
    }
    const { manifest, unmapped } = flags.kind === 'deployment' ? (({ deployment, unmapped: u }) => ({ manifest: deployment, unmapped: u }))(toKubeDeployment(container, image)) : (({ pod, unmapped: u }) => ({ manifest: pod, unmapped: u }))(toKubePod(container, image));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ container: container.name, manifest, unmapped }, null, 2)}\n`);
      return;
    }
    for (const u of unmapped) process.stderr.write(`haco: not mapped: ${u.field}: ${u.reason}\n`);
    process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
  }
}
