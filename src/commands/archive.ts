import * as path from 'node:path';
import { Flags } from '@oclif/core';
import { containerFlag, definitionArgs, HacoCommand, jsonFlag } from './support/base-command';
import { parseFileRef } from '../plan/pick';
import { EXIT, HacoError } from '../errors';

export default class ArchiveCommand extends HacoCommand {
  static override summary = 'Create, provision and tar a rootfs.';
  static override description =
    'Makes sure the rootfs exists and is provisioned (like `haco create`), then writes it as a tarball ' +
    'that the tarball strategy (b.tarball(OUT)) or `docker import` reads back. An overlay container is ' +
    'archived flattened (its merged view). --dry-run only prints the estimated size.';
  static override examples = [
    'sudo <%= config.bin %> archive debian.haco.ts -o debian.tar.zst',
    'sudo <%= config.bin %> archive app.haco.ts -c web -o web.tar.gz --format gz',
    'sudo <%= config.bin %> archive app.haco.ts -o web.tar.xz --dry-run',
  ];
  static override args = definitionArgs;
  static override flags = {
    json: jsonFlag,
    container: containerFlag('The container to archive (needed when the file has several).'),
    output: Flags.string({ char: 'o', description: 'The archive to write (.tar, .tar.gz, .tar.xz, .tar.zst).', required: true }),
    format: Flags.string({ description: 'Compression (default: from the output name, else gz).', options: ['gz', 'xz', 'zst', 'none'] }),
    'dry-run': Flags.boolean({ description: 'Print the estimated size and write nothing.', default: false }),
  };

  protected override readonly jsonEvents = true;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ArchiveCommand);
    const ref = parseFileRef(args.file, flags.container);
    const { requireRoot } = await import('../bootstrap/tools');
    const { loadDefinition } = await import('../load/load');
    const { createReporter } = await import('../progress/reporter');
    const { withReporter } = await import('./support/command-support');
    const { pickContainer } = await import('../plan/pick');
    const { withCancel } = await import('../progress/cancel');
    const { archiveRootfs, estimateSize, formatFromName } = await import('../archive/archive');
    const { isPopulatedDir } = await import('../bootstrap/layers');

    const loaded = await loadDefinition(ref.file);
    const container = pickContainer(loaded.plan, ref.file, ref.container);
    const out = path.resolve(flags.output);
    const format = (flags.format as 'gz' | 'xz' | 'zst' | 'none' | undefined) ?? formatFromName(out) ?? 'gz';
    const baseDir = path.dirname(loaded.file);
    const reporter = createReporter({ json: flags.json });
    if (container.bootstrap.strategy === 'host') {
      reporter.warn(container.name, "a host-strategy rootfs only holds the container's own /etc, /var, /root: the host's /usr is bound at start and is not archived");
    }

    if (flags['dry-run']) {
      const exists = container.rootfs.overlay ? container.rootfs.overlay.lower.every(isPopulatedDir) : isPopulatedDir(container.rootfs.path);
      if (!exists) {
        throw new HacoError('E_NO_ROOTFS', `the rootfs of "${container.name}" does not exist yet, so its size is unknown`, { hint: `sudo haco create ${args.file}`, exitCode: EXIT.state });
      }
      const size = await estimateSize(container);
      if (flags.json) reporter.result(container.name, 'estimate', { output: out, format, bytes: size.bytes, files: size.files });
      else process.stdout.write(`${out}: about ${humanBytes(size.bytes)} before ${format === 'none' ? 'no' : format} compression, ${size.files} files (dry run, nothing written)\n`);
      reporter.close();
      return;
    }

    requireRoot('archive');
    const { readyRootfs } = await import('../provision/ready-rootfs');
    await withReporter(reporter, async () => {
      await readyRootfs(container, { force: false, provision: true, reporter, baseDir, others: loaded.plan.containers });
      await withCancel(async (signal) => {
        const started = Date.now();
        reporter.begin(container.name, 'archive');
        const written = await archiveRootfs(container, out, format, { reporter, signal });
        reporter.end(container.name, 'archive', 'ok', Date.now() - started);
        reporter.result(container.name, 'archived', { output: out, format, bytes: written.bytes });
        if (!flags.json) process.stdout.write(`${out}\n`);
      });
    });
  }
}

function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
