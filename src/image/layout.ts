import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageProcessConfig } from '../plan/image-defaults';

/**
 * Reading an OCI image layout (image-spec: index.json → manifest → config blob). This is JSON reading
 * only, no layer handling (umoci does that), so it is done here instead of spawning `skopeo inspect`
 * on every plan.
 */


export interface ResolvedImage {
  /** Digest of the manifest the tag points to. */
  digest: string;
  config: ImageProcessConfig;
  /** The layers, bottom first: the blob (compressed tar) and its diff_id (digest of the uncompressed tar). */
  layers: ImageLayer[];
}

export interface ImageLayer {
  /** Path of the layer blob in the layout. */
  blob: string;
  digest: string;
  diffId: string;
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  annotations?: Record<string, string>;
}

const REF_NAME = 'org.opencontainers.image.ref.name';
const MANIFEST_TYPES = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']);

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
}

export function blobPath(layout: string, digest: string): string {
  const m = /^(sha256|sha512):([0-9a-f]+)$/.exec(digest);
  if (!m) throw new Error(`unexpected digest "${digest}" in ${layout}`);
  return path.join(layout, 'blobs', m[1]!, m[2]!);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The manifest tagged `tag` in the layout and its config; undefined if the tag is not there. */
export function readTaggedImage(layout: string, tag: string): ResolvedImage | undefined {
  let index: { manifests?: Descriptor[] };
  try {
    index = readJson(path.join(layout, 'index.json')) as { manifests?: Descriptor[] };
  } catch {
    return undefined;
  }
  const found = (index.manifests ?? []).find((d) => d.annotations?.[REF_NAME] === tag);
  if (!found) return undefined;
  if (found.mediaType !== undefined && !MANIFEST_TYPES.has(found.mediaType)) {
    throw new Error(`${layout}:${tag} is a ${found.mediaType}, not a single-platform image manifest`);
  }
  const manifest = readJson(blobPath(layout, found.digest)) as { config?: Descriptor; layers?: Descriptor[] };
  if (!manifest.config) throw new Error(`the manifest ${found.digest} in ${layout} has no config`);
  const blob = readJson(blobPath(layout, manifest.config.digest)) as { config?: Record<string, unknown>; rootfs?: { diff_ids?: unknown } };
  const c = blob.config ?? {};
  const diffIds = stringList(blob.rootfs?.diff_ids);
  const layerDescriptors = manifest.layers ?? [];
  if (diffIds.length !== layerDescriptors.length) {
    throw new Error(`the manifest ${found.digest} in ${layout} has ${layerDescriptors.length} layers but its config lists ${diffIds.length} diff_ids`);
  }
  return {
    digest: found.digest,
    layers: layerDescriptors.map((d, i) => ({ blob: blobPath(layout, d.digest), digest: d.digest, diffId: diffIds[i]! })),
    config: {
      entrypoint: stringList(c['Entrypoint']),
      cmd: stringList(c['Cmd']),
      env: stringList(c['Env']),
      workingDir: typeof c['WorkingDir'] === 'string' ? c['WorkingDir'] : '',
      user: typeof c['User'] === 'string' ? c['User'] : '',
      exposedPorts: c['ExposedPorts'] && typeof c['ExposedPorts'] === 'object' ? Object.keys(c['ExposedPorts']) : [],
    },
  };
}
