import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTree } from './remove-tree';
import { stateRoot } from '../state/state-root';
import { imageCacheDir } from '../image/cache';
import { withImageCacheLock } from '../image/cache-lock';
import { layerStoreDir } from './image-layers';
import { readImageRecord } from '../image/record';

/** The layer dirs the pins of the containers under the state root use. */
function usedLayers(): Set<string> {
  const used = new Set<string>();
  let names: string[];
  try {
    names = fs.readdirSync(stateRoot());
  } catch {
    return used;
  }
  for (const name of names) for (const dir of readImageRecord(name)?.layers ?? []) used.add(path.resolve(dir));
  return used;
}

/**
 * `haco prune --images`: removes the shared layer dirs (CACHE/layers/…) no container's pin uses any
 * more, under the cache lock (a create holds it until its pin is written). Only the pins under this
 * state root are read: containers of another HACO_STATE_ROOT sharing the cache are not seen. The OCI
 * layout's blobs stay (a next create copies nothing again).
 */
export async function pruneUnusedLayers(): Promise<string[]> {
  const store = layerStoreDir(imageCacheDir());
  if (!fs.existsSync(store)) return [];
  return withImageCacheLock(async () => {
    const used = usedLayers();
    const removed: string[] = [];
    for (const entry of fs.readdirSync(store)) {
      const dir = path.join(store, entry);
      if (entry.startsWith('.') || used.has(dir)) continue;
      removeTree(dir);
      removed.push(dir);
    }
    return removed;
  });
}
