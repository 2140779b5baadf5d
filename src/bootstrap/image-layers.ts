import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectCompression, tarCompressionFlag } from './compression';
import { BootstrapError } from './errors';
import { removeTree } from './remove-tree';
import { listArchive } from './tar-list';
import { findTarProblems } from './tar-listing';
import { TAR_EXTRACT_OPTIONS } from './tarball';
import { runStreamed } from '../progress/run-streamed';
import type { Reporter } from '../progress/reporter';
import type { ImageLayer } from '../image/layout';
import { convertWhiteouts } from '../image/whiteouts';

/**
 * Unpacked layers shared by every container of an image (`b.image(REF, { layers: 'shared' })`):
 * CACHE/layers/sha256-CHAINID holds one layer as an overlayfs lower. A dir is keyed by the layer's
 * chain ID (image-spec: the diff_id of the layer and of every layer below it), not by the blob
 * digest, because its whiteouts are made against the layers below it. Callers hold the cache lock.
 * A layer is extracted into a `.tmp-` dir and renamed into place only when complete, so a half-made
 * layer never carries a final name; `.tmp-` leftovers of a killed create are removed by the next one.
 */
export function layerStoreDir(cache: string): string {
  return path.join(cache, 'layers');
}

/** The chain IDs of the layers, bottom first: ChainID(L0) = DiffID(L0), ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)). */
export function chainIds(layers: readonly ImageLayer[]): string[] {
  const out: string[] = [];
  for (const layer of layers) {
    if (!/^sha256:[0-9a-f]{64}$/.test(layer.diffId)) throw new Error(`unexpected diff_id "${layer.diffId}"`);
    const prev = out[out.length - 1];
    out.push(prev === undefined ? layer.diffId : `sha256:${createHash('sha256').update(`${prev} ${layer.diffId}`).digest('hex')}`);
  }
  return out;
}

export function layerDir(cache: string, chainId: string): string {
  return path.join(layerStoreDir(cache), chainId.replace(':', '-'));
}

export interface EnsureLayersOptions {
  reporter: Reporter;
  container: string;
  phase: string;
  signal: AbortSignal;
}

/** Unpacks each missing layer once; returns the layer dirs bottom first (undefined if cancelled). */
export async function ensureLayers(cache: string, layers: readonly ImageLayer[], options: EnsureLayersOptions): Promise<string[] | undefined> {
  const store = layerStoreDir(cache);
  fs.mkdirSync(store, { recursive: true, mode: 0o700 });
  for (const entry of fs.readdirSync(store)) if (entry.startsWith('.tmp-')) removeTree(path.join(store, entry));
  const ids = chainIds(layers);
  const dirs = ids.map((id) => layerDir(cache, id));
  for (let i = 0; i < layers.length; i++) {
    const dir = dirs[i]!;
    if (fs.existsSync(dir)) continue;
    const layer = layers[i]!;
    const problems = findTarProblems(await listArchive(layer.blob));
    if (problems.length > 0) {
      throw new BootstrapError('E_TAR_UNSAFE', `the layer ${layer.digest} has ${problems.length} unsafe entries (first: ${JSON.stringify(problems[0]!.entry)}: ${problems[0]!.reason}); nothing was unpacked`, 'use an image built by a well-behaved tool');
    }
    const tmp = path.join(store, `.tmp-${ids[i]!.slice(7, 23)}-${process.pid}`);
    fs.mkdirSync(tmp, { mode: 0o755 });
    try {
      const result = await runStreamed(
        'tar',
        [
          ...TAR_EXTRACT_OPTIONS,
          // overlayfs reads its own markers from these: a layer must not bring any (redirects, metacopy).
          '--xattrs-exclude=trusted.overlay.*',
          '--xattrs-exclude=user.overlay.*',
          ...tarCompressionFlag(detectCompression(layer.blob)),
          '-f',
          layer.blob,
          '-C',
          tmp,
        ],
        { ...options, env: { LC_ALL: 'C' } },
      );
      if (result.cancelled) return undefined;
      if (result.exitCode !== 0) {
        throw new BootstrapError('E_IMAGE_UNPACK', `unpacking the layer ${layer.digest} failed (tar exit ${result.exitCode})`, result.tail.slice(-3).join('\n') || undefined);
      }
      const w = convertWhiteouts(tmp, dirs.slice(0, i).reverse());
      fs.renameSync(tmp, dir);
      options.reporter.line(options.container, options.phase, `layer ${i + 1}/${layers.length} ${ids[i]!.slice(0, 19)}: unpacked${w.whiteouts > 0 ? `, ${w.whiteouts} whiteouts` : ''}`);
    } finally {
      if (fs.existsSync(tmp)) removeTree(tmp);
    }
  }
  return dirs;
}
