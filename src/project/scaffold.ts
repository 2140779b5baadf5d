import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../package-root';
import { HACO_VERSION } from '../version';

/** The commented definition `haco new` and `haco init` write (templates/default.haco.ts), for NAME. */
export function definitionFromTemplate(name: string, root: string, file: string): string {
  const template = fs.readFileSync(path.join(packageRoot(), 'templates', 'default.haco.ts'), 'utf8');
  return template.replaceAll('__NAME__', name).replaceAll('__ROOT__', root).replaceAll('__FILE__', file);
}

/**
 * The tsconfig that type-checks definitions (docs/dsl.md, "Type-checking definitions"). `.haco.ts` files
 * are never run by node: haco bundles them with esbuild, so "module": "preserve" (TypeScript 5.4+, with
 * bundler resolution, which reads the `types` condition of haco's `exports`) says what happens. A
 * commonjs setup fails with TS1295 on every import under verbatimModuleSyntax, as `tsc --init` writes
 * it; "type": "module" in package.json (written too) makes that default work as well.
 */
export const PROJECT_TSCONFIG = `{
  // Type-checks the .haco.ts definitions: npx tsc (haco bundles them with esbuild; tsc only checks).
  "compilerOptions": {
    "module": "preserve",
    "target": "es2022",
    "lib": ["es2022"],
    "types": ["node"],
    "strict": true,
    "noEmit": true,
    "verbatimModuleSyntax": true,
    "skipLibCheck": true
  },
  "include": ["**/*.ts"],
  "exclude": ["node_modules"]
}
`;

/** package.json of a new project: haco and the compiler it is type-checked with, at the versions haco itself is built with. */
export function projectPackageJson(name: string): string {
  const own = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  const dev = own.devDependencies ?? {};
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { typecheck: 'tsc', plan: 'haco plan' },
    devDependencies: {
      haco: `^${HACO_VERSION}`,
      typescript: dev['typescript'] ?? '^5.4.0',
      '@types/node': dev['@types/node'] ?? '^20.0.0',
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** An npm package name from a folder's name: lower case, only the characters npm allows. */
export function packageNameFor(dir: string): string {
  const base = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return base || 'containers';
}
