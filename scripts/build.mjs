// Builds everything `npm ci` leaves ready to use: the CLI bundle, the library bundle, type
// declarations, and the native launcher. Run by `npm run build` and by npm's `prepare`.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const only = process.argv.slice(2);
const want = (step) => only.length === 0 || only.includes(step);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  define: { __HACO_VERSION__: JSON.stringify(version) },
  // esbuild is loaded lazily and only when a definition must be bundled; it must stay a real module.
  external: ['esbuild', 'typescript', 'ts-node'],
  logLevel: 'warning',
};

/**
 * `import * as fs from 'node:fs'` in a CommonJS bundle becomes `__toESM(require('node:fs'))` in every
 * module that says it, and each call copies all of fs's ~100 properties onto a new object: ~3 ms of a
 * warm `haco start` for some thirty imports. Routed through one internal module per builtin, the copy is
 * made once per builtin instead.
 */
const builtinsOnce = {
  name: 'builtins-once',
  setup(b) {
    b.onResolve({ filter: /^node:[a-z/_]+$/ }, (args) => {
      if (args.namespace === 'builtin-once') return { path: args.path, external: true };
      // Only haco's own imports: a default import (chalk's `import os from 'node:os'`) or a require()
      // must keep its usual meaning.
      // `await import('node:…')` becomes a plain module init too: dist/cli-main.js runs under vm.Script
      // (src/cli/boot.ts), where a real import() would need a dynamic-import callback.
      if ((args.kind !== 'import-statement' && args.kind !== 'dynamic-import') || !args.importer.startsWith(join(root, 'src'))) return undefined;
      return { path: args.path, namespace: 'builtin-once' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin-once' }, (args) => ({ contents: `export * from ${JSON.stringify(args.path)};`, loader: 'js' }));
  },
};

if (want('js')) {
  // Two bundles: a small entry that answers the hot paths, and the full oclif CLI it loads otherwise;
  // dist/cli.js loads the first through V8's code cache (src/cli/boot.ts).
  await build({ ...common, entryPoints: [join(root, 'src/cli/boot.ts')], outfile: join(root, 'dist/cli.js'), sourcemap: false });
  await build({ ...common, entryPoints: [join(root, 'src/cli/entry.ts')], outfile: join(root, 'dist/cli-main.js'), external: [...common.external, './oclif.js'], plugins: [builtinsOnce] });
  await build({ ...common, entryPoints: [join(root, 'src/cli/main.ts')], outfile: join(root, 'dist/oclif.js') });
  await build({ ...common, entryPoints: [join(root, 'src/index.ts')], outfile: join(root, 'dist/index.js') });
  // Definitions are evaluated in a worker thread with a bounded heap and time (src/load/isolated.ts).
  await build({ ...common, entryPoints: [join(root, 'src/load/evaluate-worker.ts')], outfile: join(root, 'dist/evaluate-worker.js') });
}

if (want('types')) {
  // Only the public API's declarations go into the package: clear those of earlier builds first.
  rmSync(join(root, 'dist/types'), { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  pruneDeclarations(join(root, 'dist/types'), 'index.d.ts');
}

/**
 * tsc declares every module the entry imports, internals included. Keep only the declarations the
 * public ones refer to (followed from index.d.ts through their own imports): the package's types are
 * its API, not its insides.
 */
function pruneDeclarations(dir, entry) {
  const keep = new Set();
  const queue = [join(dir, entry)];
  while (queue.length > 0) {
    const file = queue.pop();
    if (keep.has(file) || !existsSync(file)) continue;
    keep.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = join(dirname(file), m[1]);
      queue.push(existsSync(`${target}.d.ts`) ? `${target}.d.ts` : join(target, 'index.d.ts'));
    }
  }
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
        if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
      } else if (!keep.has(p)) rmSync(p);
    }
  };
  walk(dir);
}

if (want('native') && existsSync(join(root, 'native/Makefile'))) {
  const cc = spawnSync('sh', ['-c', 'command -v cc'], { encoding: 'utf8' });
  if (cc.status !== 0) {
    console.error('haco: cannot build the native launcher: no C compiler. Install one: apt-get install build-essential libseccomp-dev');
    process.exit(1);
  }
  const make = spawnSync('make', ['-C', join(root, 'native'), '--no-print-directory'], { stdio: 'inherit' });
  if (make.status !== 0) {
    console.error('haco: building the native launcher failed (see above). It needs: apt-get install build-essential libseccomp-dev');
    process.exit(1);
  }
}
