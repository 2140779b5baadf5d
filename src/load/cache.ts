import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PlanLocations } from '../plan/build';
import type { Plan } from '../plan/types';

/**
 * A compiled-plan cache, keyed by the content of every file that went into the bundle. A warm run reads
 * one small JSON file and hashes the inputs — esbuild is never loaded.
 */
interface CacheEntry {
  hacoVersion: string;
  entry: string;
  inputs: Array<{ path: string; sha256: string }>;
  plan: Plan;
  locations: PlanLocations;
}

export function cacheDir(): string {
  const explicit = process.env['HACO_CACHE_DIR'];
  if (explicit) return explicit;
  const base = process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(base, 'haco', 'plans');
}

function entryFile(entry: string): string {
  return path.join(cacheDir(), `${createHash('sha256').update(entry).digest('hex').slice(0, 32)}.json`);
}

function hashFile(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

export function readCachedPlan(entry: string, hacoVersion: string): { plan: Plan; locations: PlanLocations } | undefined {
  let cached: CacheEntry;
  try {
    cached = JSON.parse(fs.readFileSync(entryFile(entry), 'utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
  if (cached.hacoVersion !== hacoVersion || cached.entry !== entry) return undefined;
  for (const input of cached.inputs) if (hashFile(input.path) !== input.sha256) return undefined;
  return { plan: cached.plan, locations: cached.locations };
}

/** Best effort: a read-only home or cache dir only costs the next run its speed. */
export function writeCachedPlan(entry: string, hacoVersion: string, inputs: string[], plan: Plan, locations: PlanLocations): void {
  const hashed: CacheEntry['inputs'] = [];
  for (const input of inputs) {
    const sha256 = hashFile(input);
    if (sha256 === undefined) return;
    hashed.push({ path: input, sha256 });
  }
  const entryPath = entryFile(entry);
  const tmp = `${entryPath}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(entryPath), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify({ hacoVersion, entry, inputs: hashed, plan, locations } satisfies CacheEntry));
    fs.renameSync(tmp, entryPath);
  } catch {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // nothing was written
    }
  }
}
