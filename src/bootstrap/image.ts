import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireTool } from '../host/tools';
import { cacheTag, ensureImageCache, imageCacheDir } from '../image/cache';
import { withImageCacheLock } from '../image/cache-lock';
import { ensureLayers } from './image-layers';
import { readTaggedImage, type ResolvedImage } from '../image/layout';
import { lookupMerged, makeMergedDir } from '../image/merged-view';
import { readImageRecord, writeImageRecord, type ImageRecord } from '../image/record';
import { IMAGE_REFERENCE_HINT, parseImageReference } from '../plan/image-reference';
import { overlayDirsBeside } from '../plan/overlay-dirs';
import type { ContainerPlan, ImageBootstrap } from '../plan/types';
import type { Reporter } from '../progress/reporter';
import { runStreamed } from '../progress/run-streamed';
import { buildAtomically } from './atomic';
import type { BootstrapContext } from './context';
import { BootstrapError, RootfsStateError } from './errors';
import { removeTree } from './remove-tree';

/**
 * `image`: skopeo copies the image into the shared OCI layout cache (only missing blobs are written),
 * umoci unpacks its layers into the new rootfs (whiteouts applied, owners and modes kept), and the
 * manifest digest and config are pinned in the container's state dir for the plan to read. The cache
 * lock is held from the copy to the end of the unpack (another create may rewrite index.json meanwhile).
 */
export async function bootstrapImage(plan: ImageBootstrap, ctx: BootstrapContext): Promise<void> {
  const phase = 'bootstrap.image';
  const common = { reporter: ctx.reporter, container: ctx.container.name, phase, signal: ctx.work.signal };
  await withImageCacheLock(async () => {
    const copied = await copyIntoCache(plan, ctx.baseDir, common);
    if (!copied) return;
    ctx.reporter.line(ctx.container.name, phase, `${copied.resolved.digest}, unpacking`);
    const unpack = await runStreamed('umoci', ['raw', 'unpack', '--image', `${copied.cache}:${copied.tag}`, ctx.work.dir], common);
    if (unpack.cancelled) return;
    if (unpack.exitCode !== 0) {
      throw new BootstrapError('E_IMAGE_UNPACK', `unpacking ${plan.image} failed (umoci exit ${unpack.exitCode})`, unpack.tail.slice(-3).join('\n') || undefined);
    }
    const { config } = copied.resolved;
    // Checked now, so a User the image cannot resolve fails the build before the rootfs is put in place.
    if (config.user !== '') resolveImageUser(config.user, (rel) => path.join(ctx.work.dir, rel), plan.image);
    // Engines create a missing WorkingDir at run time; haco's launcher only chdir()s, so it is made here.
    if (config.workingDir.startsWith('/')) makeDirInside(ctx.work.dir, config.workingDir);
  }, () => ctx.reporter.line(ctx.container.name, phase, 'waiting for the image cache lock (another haco create)'));
}

interface StreamCommon {
  reporter: Reporter;
  container: string;
  phase: string;
  signal: AbortSignal;
}

/** skopeo copy into the cache (the caller holds the cache lock); undefined when cancelled. */
async function copyIntoCache(plan: ImageBootstrap, baseDir: string, common: StreamCommon): Promise<{ cache: string; tag: string; resolved: ResolvedImage } | undefined> {
  const ref = parseImageReference(plan.image, baseDir);
  if (!ref) throw new BootstrapError('E_IMAGE_REFERENCE', `"${plan.image}" is not an image reference haco reads`, IMAGE_REFERENCE_HINT);
  if (ref.transport !== 'docker') {
    const file = ref.transport === 'oci-archive' ? ref.rest : ref.rest.split(':')[0]!;
    if (!fs.existsSync(file)) throw new BootstrapError('E_NO_IMAGE', `${file}: no such ${ref.transport === 'oci' ? 'directory' : 'file'}`, 'build or save the image first, e.g. `buildah commit CTR oci-archive:img.tar` or `docker save -o img.tar NAME`');
  }
  requireTool('skopeo');
  requireTool('umoci');
  const cache = ensureImageCache();
  const tag = cacheTag(ref.skopeo);
  const tls = ref.transport === 'docker' && !plan.tlsVerify ? ['--src-tls-verify=false'] : [];
  const copy = await runStreamed('skopeo', ['copy', '--quiet', ...tls, ref.skopeo, `oci:${cache}:${tag}`], common);
  if (copy.cancelled) return undefined;
  if (copy.exitCode !== 0) {
    throw new BootstrapError(
      'E_IMAGE_COPY',
      `copying ${plan.image} into the image cache failed (skopeo exit ${copy.exitCode})`,
      copy.tail.slice(-3).join('\n') || (ref.transport === 'docker' ? 'is the registry reachable? `skopeo inspect REF` shows; a plain-HTTP registry needs { tlsVerify: false }' : undefined),
    );
  }
  let resolved;
  try {
    resolved = readTaggedImage(cache, tag);
  } catch (error) {
    throw new BootstrapError('E_IMAGE_LAYOUT', `${plan.image}: ${(error as Error).message}`, 'copy one platform of the image (skopeo copy without --all)');
  }
  if (!resolved) throw new BootstrapError('E_IMAGE_LAYOUT', `skopeo did not leave the tag ${tag} in ${cache}`, `remove ${cache} and run haco create again`);
  return { cache, tag, resolved };
}

/** overlayfs takes its options in one page; the launcher refuses more, this says why before. */
const OVERLAY_DATA_MAX = 4096;

/**
 * `b.image(REF, { layers: 'shared' })`: the layers are unpacked once into the cache (src/bootstrap/image-layers.ts)
 * and this container gets only its own overlay dirs: the upper (built atomically: it holds the image's
 * WorkingDir if no layer has it), the work dir and the empty mount point the launcher mounts the overlay
 * on. The record pins the digest, the config and the layer dirs; the plan's rootfs.overlay comes from it.
 */
export async function createSharedImage(container: ContainerPlan, plan: ImageBootstrap, options: { force: boolean; baseDir: string; reporter: Reporter }): Promise<'created' | 'kept'> {
  const name = container.name;
  const phase = 'bootstrap.image';
  if (plan.post.length > 0) {
    throw new BootstrapError('E_IMAGE_LAYERS', `"${name}" has post steps, but with layers: 'shared' its rootfs is only a mount point until start`, "drop { layers: 'shared' } to unpack a copy the post steps can change, or do the change at start (.command(...))");
  }
  // Whiteouts are device nodes (mknod needs CAP_MKNOD) and the overlay is mounted with trusted.* markers.
  if (process.getuid?.() !== 0) {
    throw new BootstrapError('E_IMAGE_LAYERS', `"${name}": layers: 'shared' needs root (the layers' whiteouts are device nodes)`, "drop { layers: 'shared' }: a rootless container gets its own copy of the image");
  }
  const target = path.resolve(container.rootfs.path);
  const dirs = overlayDirsBeside(target);
  const record = readImageRecord(name);
  if (!options.force && fs.existsSync(dirs.upper)) {
    if (record?.image === plan.image && record.layers && record.layers.every((d) => fs.existsSync(d))) {
      options.reporter.line(name, phase, `${dirs.upper} exists, kept (--force starts from an empty upper layer again)`);
      return 'kept';
    }
    // The container's changes sit on layers that are gone or belong to another image: never mix them.
    throw new RootfsStateError(
      'E_IMAGE_LAYERS',
      `${dirs.upper} holds the changes of "${name}" on ${record?.image === plan.image ? 'layers no longer in the image cache' : `another image (${record?.image ?? 'no pin'})`}`,
      `haco create --force -c ${name} starts again from ${plan.image} (the upper dir is emptied)`,
    );
  }
  options.reporter.begin(name, phase);
  const started = Date.now();
  let made = false;
  try {
    // The whole create holds the cache lock, the pin written last included: `haco prune --images` (under
    // the same lock) never sees a layer a create unpacked but has not pinned yet.
    await withImageCacheLock(async () => {
      let pinned: ImageRecord | undefined;
      await buildAtomically(dirs.upper, { force: true }, async (work) => {
        const common = { reporter: options.reporter, container: name, phase, signal: work.signal };
        const copied = await copyIntoCache(plan, options.baseDir, common);
        if (!copied) return;
        const layerDirs = await ensureLayers(copied.cache, copied.resolved.layers, common);
        if (!layerDirs) return;
        if (layerDirs.length === 0) throw new BootstrapError('E_IMAGE_LAYERS', `${plan.image} has no layers`, "an empty image has nothing to share: drop { layers: 'shared' }");
        const topFirst = [...layerDirs].reverse();
        const data = `lowerdir=${topFirst.join(':')},upperdir=${dirs.upper},workdir=${dirs.work}`;
        if (data.length >= OVERLAY_DATA_MAX) {
          throw new BootstrapError('E_IMAGE_LAYERS', `${plan.image} has ${layerDirs.length} layers; their overlay options would be ${data.length} bytes, more than the ${OVERLAY_DATA_MAX - 1} overlayfs takes`, "drop { layers: 'shared' } (one copied rootfs), or move the cache to a shorter path with HACO_IMAGE_CACHE");
        }
        const { config } = copied.resolved;
        const lookup = (rel: string): string | undefined => lookupMerged(topFirst, rel)?.file;
        const user = config.user === '' ? undefined : resolveImageUser(config.user, lookup, plan.image);
        if (config.workingDir.startsWith('/')) makeMergedDir(work.dir, topFirst, config.workingDir);
        pinned = { version: 1, image: plan.image, digest: copied.resolved.digest, config, ...(user ? { user } : {}), layers: layerDirs };
      });
      if (!pinned) return;
      if (options.force) removeTree(dirs.work);
      for (const dir of [dirs.work, target]) fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      writeImageRecord(name, pinned);
      made = true;
    }, () => options.reporter.line(name, phase, 'waiting for the image cache lock (another haco create)'));
  } catch (error) {
    options.reporter.end(name, phase, 'failed', Date.now() - started);
    throw error;
  }
  if (!made) return 'kept';
  options.reporter.end(name, phase, 'ok', Date.now() - started);
  return 'created';
}

/** mkdir -p of an absolute container path inside ROOT, stopping at (never following) a symlink. */
function makeDirInside(root: string, inside: string): void {
  let at = root;
  for (const part of inside.split('/').filter((p) => p !== '' && p !== '.')) {
    if (part === '..') return;
    at = path.join(at, part);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(at);
    } catch {
      fs.mkdirSync(at, { mode: 0o755 });
      continue;
    }
    if (!st.isDirectory()) return;
  }
}

/**
 * Called by `haco create` once the new rootfs is in place (never for a build that failed, so a pin
 * always describes the tree that exists): records the digest and config the plan reads from now on.
 */
export function pinImage(plan: ImageBootstrap, container: string, baseDir: string, rootfs: string): void {
  const ref = parseImageReference(plan.image, baseDir);
  const resolved = ref ? readTaggedImage(imageCacheDir(), cacheTag(ref.skopeo)) : undefined;
  if (!resolved) throw new BootstrapError('E_IMAGE_LAYOUT', `${plan.image} is no longer in the image cache ${imageCacheDir()}`, 'run haco create --force again');
  const user = resolved.config.user === '' ? undefined : resolveImageUser(resolved.config.user, (rel) => path.join(rootfs, rel), plan.image);
  writeImageRecord(container, { version: 1, image: plan.image, digest: resolved.digest, config: resolved.config, ...(user ? { user } : {}) });
}

/** An image's `User` (name, uid, name:group, uid:gid) as numbers, names looked up in the unpacked rootfs. */
export function resolveImageUser(spec: string, fileOf: (rel: string) => string | undefined, image: string): { uid: number; gid: number } {
  const [userPart = '', groupPart] = spec.split(':', 2);
  const passwd = readIdFile(fileOf('etc/passwd'));
  const fail = (what: string): never => {
    throw new BootstrapError('E_IMAGE_USER', `${image}: the image's User "${spec}" names ${what}, which is not in the image's /etc/passwd or /etc/group`, "set the user in the definition instead: .user({ uid: 1000, gid: 1000 })");
  };
  let uid: number;
  let gid: number | undefined;
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
    gid = passwd.find((f) => f[2] === userPart)?.[3] !== undefined ? Number(passwd.find((f) => f[2] === userPart)![3]) : undefined;
  } else {
    const entry = passwd.find((f) => f[0] === userPart) ?? fail(`the user "${userPart}"`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const group = readIdFile(fileOf('etc/group')).find((f) => f[0] === groupPart) ?? fail(`the group "${groupPart}"`);
      gid = Number(group[2]);
    }
  }
  return { uid, gid: gid ?? uid };
}

/** Fields of a passwd/group file of the rootfs; a symlink is not followed (it could point at the host's files). */
function readIdFile(file: string | undefined): string[][] {
  if (file === undefined) return [];
  try {
    if (!fs.lstatSync(file).isFile()) return [];
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split(':'));
  } catch {
    return [];
  }
}
