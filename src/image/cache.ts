import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheRoot } from '../cache-dir';

/**
 * The image cache: one OCI image layout shared by every definition (`/var/cache/haco/images` for root,
 * HACO_IMAGE_CACHE to move it). Blobs are stored by digest, so layers common to several images are kept
 * once; each source reference gets a tag of its own. Deleting it is safe: the next create copies again.
 */
export function imageCacheDir(): string {
  const fromEnv = process.env['HACO_IMAGE_CACHE'];
  return fromEnv && fromEnv.trim() !== '' ? path.resolve(fromEnv) : path.join(cacheRoot(), 'images');
}

/** The cache's tag for a source (`transport:rest`): a hash, since a reference holds `/` and `:` a tag may not. */
export function cacheTag(skopeoReference: string): string {
  return `src-${createHash('sha256').update(skopeoReference).digest('hex').slice(0, 40)}`;
}

/** Makes the cache dir root-only: unpacked layers keep their setuid bits and owners. */
export function ensureImageCache(): string {
  const dir = imageCacheDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
