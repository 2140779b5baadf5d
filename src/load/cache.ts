import * as fs from 'node:fs';
import { readCacheFile, writeCacheFile } from '../cache-file';
import type { PlanLocations } from '../plan/build';
import { fingerprint } from '../plan/fingerprint';
import type { Plan } from '../plan/types';

/**
 * A compiled-plan cache, keyed by the content of every file that went into the bundle. A warm run reads
 * one small JSON file and hashes the inputs — esbuild is never loaded.
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
const ENTRY_FORMAT = 2;

interface CacheEntry {
  format: typeof ENTRY_FORMAT;
  hacoVersion: string;
  entry: string;
  /** size and mtimeNs let a warm run skip hashing an input that was not touched. */
  inputs: Array<{ path: string; sha256: string; size: number; mtimeNs: string }>;
  plan: Plan;
  locations: PlanLocations;
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

function statOf(file: string): { size: number; mtimeNs: string } | undefined {
  try {
    const st = fs.statSync(file, { bigint: true });
    return { size: Number(st.size), mtimeNs: st.mtimeNs.toString() };
  } catch {
    return undefined;
  }
}

export function readCachedPlan(entry: string, hacoVersion: string): { plan: Plan; locations: PlanLocations } | undefined {
  let cached: CacheEntry;
  try {
    const data = readCacheFile('plans', entryName(entry));
    if (!data) return undefined;
    cached = JSON.parse(data.toString('utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
  if (cached.format !== ENTRY_FORMAT || cached.hacoVersion !== hacoVersion || cached.entry !== entry || !Array.isArray(cached.inputs)) return undefined;
  let touched = false;
  for (const input of cached.inputs) {
    const stat = statOf(input.path);
    if (!stat) return undefined;
    if (stat.size === input.size && stat.mtimeNs === input.mtimeNs) continue;
    if (hashFile(input.path) !== input.sha256) return undefined;
    // Same content, new mtime (touch, git checkout): remember the new stat so the next run skips the hash.
    Object.assign(input, stat);
    touched = true;
  }
  if (touched) {
    try {
      writeCacheFile('plans', entryName(entry), JSON.stringify(cached));
    } catch {
      // the next run hashes again
    }
  }
  return { plan: cached.plan, locations: cached.locations };
}

/** Best effort: a read-only home or cache dir only costs the next run its speed. */
export function writeCachedPlan(entry: string, hacoVersion: string, inputs: string[], plan: Plan, locations: PlanLocations): void {
  const hashed: CacheEntry['inputs'] = [];
  for (const input of inputs) {
    const stat = statOf(input);
    const sha256 = hashFile(input);
    if (sha256 === undefined || !stat) return;
    hashed.push({ path: input, sha256, ...stat });
  }
  try {
    writeCacheFile('plans', entryName(entry), JSON.stringify({ format: ENTRY_FORMAT, hacoVersion, entry, inputs: hashed, plan, locations } satisfies CacheEntry));
  } catch {
    // not cached: the next run evaluates again
  }
}
