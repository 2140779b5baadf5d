import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Message, Plugin } from 'esbuild';
import type { SourceLocation } from '../errors';
import { DefinitionError } from './definition-error';

export interface Bundle {
  code: string;
  map: string;
  /** Absolute paths of every file that went into the bundle (for the plan cache key). */
  inputs: string[];
}

/**
 * Bundle a definition with esbuild: TypeScript, local imports and npm packages are compiled into one
 * CommonJS program held in memory (nothing is written next to the user's file). `haco` itself stays
 * external so the definition uses the very classes of the running haco.
 */
export async function bundleDefinition(entry: string): Promise<Bundle> {
  const esbuild = await import('esbuild');
  const hacoExternal: Plugin = {
    name: 'haco-external',
    setup(build) {
      build.onResolve({ filter: /^haco$/ }, (args) => ({ path: args.path, external: true }));
    },
  };
  const dir = path.dirname(entry);
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      // Never the tsconfig.json esbuild would find by walking up from the file (or one in the current
      // folder): its `paths` decide which code runs, as root when haco runs as root. Only the
      // definition's own folder may bring one; whoever can write there can edit the definition anyway.
      ...tsconfigFor(dir),
      absWorkingDir: dir,
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcemap: 'external',
      sourcesContent: false,
      outfile: path.join(path.dirname(entry), '.haco-bundle.js'),
      metafile: true,
      logLevel: 'silent',
      plugins: [hacoExternal],
    });
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
    const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
    if (!js || !map) throw new Error('esbuild produced no output');
    const inputs = Object.keys(result.metafile.inputs).map((p) => path.resolve(dir, p));
    return { code: js.text, map: map.text, inputs };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    const first = errors?.[0];
    if (!first) throw error;
    const location: SourceLocation | undefined = first.location
      ? { file: path.resolve(dir, first.location.file), line: first.location.line, column: first.location.column + 1 }
      : undefined;
    throw new DefinitionError('E_SYNTAX', first.text, {
      hint: first.notes?.[0]?.text ?? 'fix the TypeScript syntax at this place',
      ...(location ? { location } : {}),
    });
  }
}

/** The compiler settings a definition is bundled with when its folder has no tsconfig.json. */
export const HACO_TSCONFIG = { compilerOptions: { strict: true } } as const;

/** `tsconfig.json` beside the definition if there is one, else haco's own settings; never a search. */
export function tsconfigFor(dir: string): { tsconfig: string } | { tsconfigRaw: typeof HACO_TSCONFIG } {
  const beside = path.join(dir, 'tsconfig.json');
  return fs.existsSync(beside) ? { tsconfig: beside } : { tsconfigRaw: HACO_TSCONFIG };
}
