import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireTool } from '../host/tools';
import { cacheTag, ensureImageCache, imageCacheDir } from '../image/cache';
import { readTaggedImage } from '../image/layout';
import { writeImageRecord } from '../image/record';
import { IMAGE_REFERENCE_HINT, parseImageReference } from '../plan/image-reference';
import type { ImageBootstrap } from '../plan/types';
import { runStreamed } from '../progress/run-streamed';
import type { BootstrapContext } from './context';
import { BootstrapError } from './errors';

/**
 * `image`: skopeo copies the image into the shared OCI layout cache (only missing blobs are written),
 * umoci unpacks its layers into the new rootfs (whiteouts applied, owners and modes kept), and the
 * manifest digest and config are pinned in the container's state dir for the plan to read.
 */
export async function bootstrapImage(plan: ImageBootstrap, ctx: BootstrapContext): Promise<void> {
  const ref = parseImageReference(plan.image, ctx.baseDir);
  if (!ref) throw new BootstrapError('E_IMAGE_REFERENCE', `"${plan.image}" is not an image reference haco reads`, IMAGE_REFERENCE_HINT);
  if (ref.transport !== 'docker') {
    const file = ref.transport === 'oci-archive' ? ref.rest : ref.rest.split(':')[0]!;
    if (!fs.existsSync(file)) throw new BootstrapError('E_NO_IMAGE', `${file}: no such ${ref.transport === 'oci' ? 'directory' : 'file'}`, 'build or save the image first, e.g. `buildah commit CTR oci-archive:img.tar` or `docker save -o img.tar NAME`');
  }
  requireTool('skopeo');
  requireTool('umoci');
  const cache = ensureImageCache();
  const tag = cacheTag(ref.skopeo);
  const phase = 'bootstrap.image';
  const common = { reporter: ctx.reporter, container: ctx.container.name, phase, signal: ctx.work.signal };
  const tls = ref.transport === 'docker' && !plan.tlsVerify ? ['--src-tls-verify=false'] : [];
  const copy = await runStreamed('skopeo', ['copy', '--quiet', ...tls, ref.skopeo, `oci:${cache}:${tag}`], common);
  if (copy.cancelled) return;
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
  ctx.reporter.line(ctx.container.name, phase, `${resolved.digest}, unpacking`);
  const unpack = await runStreamed('umoci', ['raw', 'unpack', '--image', `${cache}:${tag}`, ctx.work.dir], common);
  if (unpack.cancelled) return;
  if (unpack.exitCode !== 0) {
    throw new BootstrapError('E_IMAGE_UNPACK', `unpacking ${plan.image} failed (umoci exit ${unpack.exitCode})`, unpack.tail.slice(-3).join('\n') || undefined);
  }
  // Checked now, so a User the image cannot resolve fails the build before the rootfs is put in place.
  if (resolved.config.user !== '') resolveImageUser(resolved.config.user, ctx.work.dir, plan.image);
  // Engines create a missing WorkingDir at run time; haco's launcher only chdir()s, so it is made here.
  if (resolved.config.workingDir.startsWith('/')) makeDirInside(ctx.work.dir, resolved.config.workingDir);
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
  const user = resolved.config.user === '' ? undefined : resolveImageUser(resolved.config.user, rootfs, plan.image);
  writeImageRecord(container, { version: 1, image: plan.image, digest: resolved.digest, config: resolved.config, ...(user ? { user } : {}) });
}

/** An image's `User` (name, uid, name:group, uid:gid) as numbers, names looked up in the unpacked rootfs. */
export function resolveImageUser(spec: string, rootfs: string, image: string): { uid: number; gid: number } {
  const [userPart = '', groupPart] = spec.split(':', 2);
  const passwd = readIdFile(rootfs, 'etc/passwd');
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
      const group = readIdFile(rootfs, 'etc/group').find((f) => f[0] === groupPart) ?? fail(`the group "${groupPart}"`);
      gid = Number(group[2]);
    }
  }
  return { uid, gid: gid ?? uid };
}

/** Fields of a passwd/group file of the rootfs; a symlink is not followed (it could point at the host's files). */
function readIdFile(rootfs: string, rel: string): string[][] {
  const file = path.join(rootfs, rel);
  try {
    if (!fs.lstatSync(file).isFile()) return [];
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split(':'));
  } catch {
    return [];
  }
}
