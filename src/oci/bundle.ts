import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { isPopulatedDir } from '../bootstrap/layers';
import { EXIT, HacoError } from '../errors';
import type { ContainerPlan } from '../plan/types';
import { apparmorEnabled } from '../runtime/host-facts';
import { rootfsSources, withMergedRootfs } from './merged-rootfs';
import { renderRuntimeConfig, toRuntimeConfig, type Unmapped } from './runtime-config';

export interface BundleResult {
  bundle: string;
  config: string;
  rootfs: string;
  unmapped: Unmapped[];
}

/**
 * Writes an OCI runtime bundle: DIR/config.json and, unless `link`, DIR/rootfs as a copy of the
 * container's rootfs (`cp -a`: owners, modes, xattrs, hard links kept; an overlay rootfs as its merged tree). `link` points root.path at the
 * haco rootfs itself (no copy; runc then writes into haco's tree).
 */
export async function writeBundle(c: ContainerPlan, dir: string, options: { link: boolean }): Promise<BundleResult> {
  const source = c.rootfs.path;
  if (c.rootfs.overlay && options.link) {
    throw new HacoError('E_EXPORT_OVERLAY', `"${c.name}" has an overlay rootfs: ${source} is only a mount point outside a run, runc cannot use it with --link`, { hint: 'export without --link: the merged tree (layers + the container\'s changes) is copied into the bundle', exitCode: EXIT.usage });
  }
  if (!rootfsSources(c).every(isPopulatedDir)) {
    throw new HacoError('E_NO_ROOTFS', `the rootfs of "${c.name}" (${rootfsSources(c).find((d) => !isPopulatedDir(d))}) does not exist yet`, { hint: 'create it first: sudo haco create FILE', exitCode: EXIT.state });
  }
  const bundle = path.resolve(dir);
  if (fs.existsSync(bundle) && fs.readdirSync(bundle).length > 0) {
    throw new HacoError('E_EXISTS', `${bundle} exists and is not empty`, { hint: 'choose a new directory or remove it', exitCode: EXIT.usage });
  }
  const rootfs = options.link ? source : path.join(bundle, 'rootfs');
  const { config, unmapped } = toRuntimeConfig(c, { rootPath: options.link ? source : 'rootfs', hostAppArmor: apparmorEnabled() });
  const made = !fs.existsSync(bundle);
  fs.mkdirSync(bundle, { recursive: true, mode: 0o700 });
  try {
    if (!options.link) {
      fs.mkdirSync(rootfs, { mode: 0o755 });
      // An overlay rootfs is copied as what the container sees (src/oci/merged-rootfs.ts).
      const cmd = withMergedRootfs(c, ['cp', '-a', '--', `${source}/.`, rootfs]);
      const cp = await execa(cmd.file, cmd.args, { reject: false, all: true });
      if (cp.exitCode !== 0) throw new HacoError('E_EXPORT_COPY', `copying ${source} into the bundle failed (cp exit ${cp.exitCode})`, { hint: String(cp.all ?? '').split('\n').slice(-3).join('\n') || undefined, exitCode: EXIT.failure });
    }
    fs.writeFileSync(path.join(bundle, 'config.json'), renderRuntimeConfig(config), { mode: 0o600 });
  } catch (error) {
    // Nothing half made is left behind.
    if (made) fs.rmSync(bundle, { recursive: true, force: true });
    else for (const entry of fs.readdirSync(bundle)) fs.rmSync(path.join(bundle, entry), { recursive: true, force: true });
    throw error;
  }
  return { bundle, config: path.join(bundle, 'config.json'), rootfs, unmapped };
}
