/**
 * dist/cli.js, the file bin/haco runs: loads the CLI bundle (dist/cli-main.js, from entry.ts) through
 * V8's code cache.
 *
 * Compiling the bundle is the largest single cost of a warm `haco start` after node's own start (~5 ms
 * of ~25 here), and node 20 has no built-in compile cache for CommonJS (module.enableCompileCache()
 * came with node 22). So the bundle is compiled with vm.Script and the code V8 produced *after* a run
 * (including the functions that run compiled lazily) is kept per command; the next run of that command
 * skips most parsing and compiling. The cache is only a speed-up: any problem reading or writing it is
 * ignored, V8 itself rejects data from another V8 version or flags, and the file name carries the
 * bundle's size, mtime and inode, so a rebuilt bundle never meets an old cache. Only V8's *data* is
 * cached: the source is always dist/cli-main.js itself. V8's own check of that data compares the
 * source's length, not its content, and accepted bytecode runs as is, so the file is trusted only from
 * a private folder and with its SHA-256 intact (src/cache-file.ts). HACO_NO_CODE_CACHE=1
 * turns it off. A script run this way has no dynamic import(): scripts/build.mjs turns haco's own
 * `await import('node:…')` into plain module inits, and a unit test keeps any other import() out.
 */
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { Module } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { readCacheFile, writeCacheFile } from '../cache-file';

/** Commands answered by the bundle itself get a cache each: they run different functions (aliases share). */
const COMMAND_CACHE: Record<string, string> = { version: 'version', '--version': 'version', '-v': 'version', plan: 'plan', start: 'start', run: 'start', ps: 'ps' };

function cacheName(bundle: string): string | undefined {
  if (process.env['HACO_NO_CODE_CACHE']) return undefined;
  const st = statSync(bundle);
  const command = process.argv[2] ?? '';
  const key = COMMAND_CACHE[command] ?? 'other';
  return `cli-main-${st.size}-${Math.trunc(st.mtimeMs)}-${st.ino}-${process.version}-${key}.bin`;
}

function readCache(name: string | undefined): Buffer | undefined {
  return name ? readCacheFile('v8', name) : undefined;
}

function writeCache(name: string, data: Buffer): void {
  try {
    const file = writeCacheFile('v8', name, data); // concurrent runs: whole files only
    // Caches of earlier builds of the bundle (or node versions) for this command are dead weight.
    const dir = dirname(file);
    const suffix = name.slice(name.lastIndexOf('-'));
    for (const old of readdirSync(dir)) if (old.startsWith('cli-main-') && old.endsWith(suffix) && old !== name) unlinkSync(join(dir, old));
  } catch {
    // read-only home, full disk, a concurrent cleanup, a folder not private to this user: run without the cache
  }
}

const bundle = join(__dirname, 'cli-main.js');
const file = cacheName(bundle);
const cachedData = readCache(file);
const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), {
  filename: bundle,
  ...(cachedData ? { cachedData } : {}),
});
if (file && (!cachedData || script.cachedDataRejected)) {
  // At exit, so that the functions this run compiled lazily are in the cache too.
  process.once('exit', () => writeCache(file, script.createCachedData()));
}
const main = new Module(bundle, module);
main.filename = bundle;
main.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(__dirname);
main.loaded = true;
const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
run.call(main.exports, main.exports, Module.createRequire(bundle), main, bundle, __dirname);
