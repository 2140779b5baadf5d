import * as fs from 'node:fs';
import { readCacheFile, writeCacheFile } from '../cache-file';
import type { PlanLocations } from '../plan/build';
import { fingerprint } from '../plan/fingerprint';
import type { Plan } from '../plan/types';
import { stillHolds, type Observation } from '../observe/host-reads';

/**
 * A compiled-plan cache, keyed by the content of every file that went into the bundle. A warm run reads
 * one small JSON file, hashes the inputs and re-checks what the definition read — esbuild is never loaded.
 *
 * What is cached passed the schema and semantic checks when it was written (loadDefinition writes
 * nothing else). On read an entry is used only from a private folder, with its SHA-256 intact
 * (src/cache-file.ts), in this entry format and for this haco version; anything else — a flipped
 * byte, an edit, an entry written by another haco — is discarded and the definition evaluated again.
 * The plan is not re-validated on read: the checks cost ~10 ms of a ~25 ms warm `haco start` (the
 * schema validator is 200 kB of code), and an entry that fails none of the tests above is the one
 * this haco wrote.
 */
/** Bumped when what an entry holds, or the rules it was checked against, change meaning. */
const ENTRY_FORMAT = 3;

interface CacheEntry {
  format: typeof ENTRY_FORMAT;
  hacoVersion: string;
  entry: string;
  inputs: Array<{ path: string; sha256: string }>;
  plan: Plan;
  locations: PlanLocations;
  /** What the definition read from the host while evaluated (environment variables, files): each must still hold. */
  observed: Observation[];
}

/** A cached plan and what it depends on, for a prepared launch spec (src/start/warm-spec.ts). */
export interface CachedPlan {
  plan: Plan;
  locations: PlanLocations;
  /** The bundle's inputs as observations (their SHA-256), then what the definition read. */
  observed: Observation[];
}

// node:crypto costs ~5 ms to load; `haco version` must not pay it, so it is required on first use.
function sha256(data: string | Buffer): string {
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(data).digest('hex');
}

function entryName(entry: string): string {
  return `${fingerprint(entry)}.json`;
}

function hashFile(file: string): string | undefined {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

export function readCachedPlan(entry: string, hacoVersion: string): CachedPlan | undefined {
  let cached: CacheEntry;
  try {
    const data = readCacheFile('plans', entryName(entry));
    if (!data) return undefined;
    cached = JSON.parse(data.toString('utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
  if (cached.format !== ENTRY_FORMAT || cached.hacoVersion !== hacoVersion || cached.entry !== entry || !Array.isArray(cached.inputs) || !Array.isArray(cached.observed)) return undefined;
  // Always the content: size and mtime can stay the same across an edit (same length, within one tick of
  // the kernel's coarse clock, or an mtime put back by `touch -d`/`cp -p`).
  for (const input of cached.inputs) if (hashFile(input.path) !== input.sha256) return undefined;
  // An environment variable or a file the definition read that changed: evaluate again.
  if (!stillHolds(cached.observed)) return undefined;
  const inputs: Observation[] = cached.inputs.map((i) => ({ kind: 'read', path: i.path, value: i.sha256 }));
  return { plan: cached.plan, locations: cached.locations, observed: [...inputs, ...cached.observed] };
}

/**
 * Best effort: a read-only home or cache dir only costs the next run its speed. Returns the inputs as
 * observations (their SHA-256) when the entry was written.
 */
export function writeCachedPlan(entry: string, hacoVersion: string, inputs: string[], plan: Plan, locations: PlanLocations, observed: Observation[]): Observation[] | undefined {
  const hashed: CacheEntry['inputs'] = [];
  for (const input of inputs) {
    const sha256 = hashFile(input);
    if (sha256 === undefined) return undefined;
    hashed.push({ path: input, sha256 });
  }
  try {
    writeCacheFile('plans', entryName(entry), JSON.stringify({ format: ENTRY_FORMAT, hacoVersion, entry, inputs: hashed, plan, locations, observed } satisfies CacheEntry));
  } catch {
    return undefined; // not cached: the next run evaluates again
  }
  return hashed.map((i) => ({ kind: 'read', path: i.path, value: i.sha256 }));
}
