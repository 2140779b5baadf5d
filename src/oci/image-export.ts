import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { isPopulatedDir } from '../bootstrap/layers';
import { EXIT, HacoError } from '../errors';
import { requireTool } from '../host/tools';
import type { ContainerPlan } from '../plan/types';
import { rootfsSources, withMergedRootfs } from './merged-rootfs';

export type ImageFormat = 'oci' | 'oci-archive';

export interface ImageExportResult {
  output: string;
  format: ImageFormat;
  tag: string;
  /** `oci:DIR:TAG` or `oci-archive:FILE` as skopeo and podman read it. */
  reference: string;
}

/**
 * `umoci config` arguments for the container's process: argv as Entrypoint (no Cmd, so a runtime runs
 * exactly what haco runs), the whole environment, workdir, uid:gid and the ports the container serves.
 */
export function imageConfigArgs(c: ContainerPlan): string[] {
  const args: string[] = [];
  for (const a of c.process.args) args.push('--config.entrypoint', a);
  for (const [k, v] of Object.entries(c.process.env)) args.push('--config.env', `${k}=${v}`);
  args.push('--config.workingdir', c.process.cwd, '--config.user', `${c.process.user.uid}:${c.process.user.gid}`);
  for (const p of exposedPorts(c)) args.push('--config.exposedports', p);
  return args;
}

/** Ports the container serves: its forwarded ports, else what its image exposed. */
export function exposedPorts(c: ContainerPlan): string[] {
  const forwarded = (c.network?.ports ?? []).map((p) => `${p.container}/${p.protocol}`);
  if (forwarded.length > 0) return [...new Set(forwarded)];
  return c.bootstrap.strategy === 'image' ? [...(c.bootstrap.pinned?.exposedPorts ?? [])] : [];
}

/**
 * The tree to pack: the rootfs itself, or for an overlay rootfs a copy of its merged tree (cp -a in a
 * private mount namespace, src/oci/merged-rootfs.ts). umoci insert cannot read the read-only overlay in
 * place (it chmods what it walks), so the copy goes to a private temp dir (0700: setuid files inside).
 */
async function mergedTree(c: ContainerPlan, tmpDirs: string[]): Promise<string> {
  if (!c.rootfs.overlay) return c.rootfs.path;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-image-tree-'));
  tmpDirs.push(dir);
  const tree = path.join(dir, 'rootfs');
  fs.mkdirSync(tree, { mode: 0o755 });
  const cp = withMergedRootfs(c, ['cp', '-a', '--', `${c.rootfs.path}/.`, tree]);
  await run(cp.file, cp.args);
  return tree;
}

async function run(file: string, args: string[]): Promise<void> {
  const r = await execa(file, args, { reject: false, all: true });
  if (r.exitCode !== 0) {
    const what = file === 'unshare' ? 'copying the merged overlay rootfs' : `${file} ${args[0]}`;
    throw new HacoError('E_EXPORT_IMAGE', `${what} failed (exit ${r.exitCode})`, { hint: String(r.all ?? '').split('\n').slice(-3).join('\n') || undefined, exitCode: EXIT.failure });
  }
}

/**
 * Writes the container's rootfs and process as an OCI image: umoci builds a one-layer image in an OCI
 * layout (owners, modes and xattrs of the tree kept), and for an oci-archive skopeo packs that layout.
 */
/** The image's name in an archive (podman load names it localhost/NAME), or its tag in a layout. */
export function defaultImageTag(c: ContainerPlan, format: ImageFormat): string {
  return format === 'oci' ? 'latest' : `haco/${c.name.toLowerCase()}:latest`;
}

export async function exportImage(c: ContainerPlan, out: string, options: { format: ImageFormat; tag?: string }): Promise<ImageExportResult> {
  const tag = options.tag ?? defaultImageTag(c, options.format);
  if (!rootfsSources(c).every(isPopulatedDir)) throw new HacoError('E_NO_ROOTFS', `the rootfs of "${c.name}" (${c.rootfs.path}) does not exist yet`, { hint: 'create it first: sudo haco create FILE', exitCode: EXIT.state });
  const output = path.resolve(out);
  if (fs.existsSync(output)) throw new HacoError('E_EXISTS', `${output} exists`, { hint: 'choose a new path or remove it', exitCode: EXIT.usage });
  requireTool('umoci');
  if (options.format === 'oci-archive') requireTool('skopeo');
  // umoci init wants a path that does not exist yet: a layout for an archive goes inside a private temp dir.
  const scratch = options.format === 'oci' ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'haco-image-'));
  const layout = scratch ? path.join(scratch, 'layout') : output;
  const tmpDirs: string[] = [];
  try {
    await run('umoci', ['init', '--layout', layout]);
    const image = `${layout}:${options.format === 'oci' ? tag : 'latest'}`;
    await run('umoci', ['new', '--image', image]);
    await run('umoci', ['insert', '--image', image, await mergedTree(c, tmpDirs), '/']);
    await run('umoci', ['config', '--image', image, ...imageConfigArgs(c)]);
    await run('umoci', ['gc', '--layout', layout]);
    if (options.format === 'oci-archive') await run('skopeo', ['copy', '--quiet', `oci:${image}`, `oci-archive:${output}:${tag}`]);
  } catch (error) {
    fs.rmSync(output, { recursive: true, force: true });
    throw error;
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
  }
  return { output, format: options.format, tag, reference: options.format === 'oci' ? `oci:${output}:${tag}` : `oci-archive:${output}` };
}
