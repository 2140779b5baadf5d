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
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
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
    const cwd = process.cwd();
    const inputs = Object.keys(result.metafile.inputs).map((p) => path.resolve(cwd, p));
    return { code: js.text, map: map.text, inputs };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    const first = errors?.[0];
    if (!first) throw error;
    const location: SourceLocation | undefined = first.location
      ? { file: path.resolve(first.location.file), line: first.location.line, column: first.location.column + 1 }
      : undefined;
    throw new DefinitionError('E_SYNTAX', first.text, {
      hint: first.notes?.[0]?.text ?? 'fix the TypeScript syntax at this place',
      ...(location ? { location } : {}),
    });
  }
}
