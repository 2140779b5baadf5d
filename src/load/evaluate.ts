import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as haco from '../dsl-exports';
import { DefinitionError } from './definition-error';
import { BundleMapper, bundleFileName } from './source-map';
import type { Bundle } from './bundle';

/** How long a definition may run before it is treated as an endless loop. */
export function evaluationTimeoutMs(): number {
  const fromEnv = Number(process.env['HACO_EVAL_TIMEOUT_MS']);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 5000;
}

/**
 * Run the bundled definition and return its default export. vm's timeout interrupts an endless loop
 * (a plain `require` could not); the bundle's frames carry a recognisable file name so stack traces and
 * DSL call sites are mapped back to the user's .haco.ts.
 */
export function evaluateBundle(entry: string, bundle: Bundle, mapper: BundleMapper): unknown {
  const module = { exports: {} as Record<string, unknown> };
  const userRequire = createRequire(entry);
  const requireForBundle = (id: string): unknown => (id === 'haco' ? haco : userRequire(id));
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${bundle.code}\n})`;
  const timeout = evaluationTimeoutMs();
  let fn: (...args: unknown[]) => void;
  try {
    fn = vm.runInThisContext(wrapper, { filename: bundleFileName(entry) }) as typeof fn;
  } catch (error) {
    throw thrownByDefinition(entry, error, mapper);
  }
  // The call itself must run inside a timed script: vm only interrupts code it started. A tiny
  // context holds the call, so no global is touched (jest, for one, runs tests in its own context).
  const run = () => fn(module.exports, requireForBundle, module, entry, path.dirname(entry));
  try {
    vm.runInContext('run()', vm.createContext({ run }), { filename: 'haco-evaluate', timeout });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new DefinitionError('E_TIMEOUT', `${path.basename(entry)} did not finish within ${timeout} ms`, {
        hint: 'look for an endless loop in the definition (or raise HACO_EVAL_TIMEOUT_MS)',
        location: { file: entry, line: 1, column: 1 },
      });
    }
    throw thrownByDefinition(entry, error, mapper);
  }
  const exported = module.exports;
  if ('default' in exported) return exported['default'];
  throw new DefinitionError('E_NO_DEFAULT_EXPORT', `${path.basename(entry)} has no default export`, {
    hint: "end the file with `export default defineContainer('name')…` (or an array of containers)",
    location: { file: entry, line: 1, column: 1 },
  });
}

function thrownByDefinition(entry: string, error: unknown, mapper: BundleMapper): DefinitionError {
  const location = mapper.locate(error);
  const message = String((error as { message?: unknown } | null)?.message ?? error);
  const result = new DefinitionError('E_THROWN', `${path.basename(entry)} threw: ${message}`, {
    hint: 'the definition ran and threw this error; fix the code at this line',
    ...(location ? { location } : {}),
    cause: error,
  });
  const stack = (error as { stack?: unknown } | null)?.stack;
  if (typeof stack === 'string') result.stack = mapper.rewriteStack(stack);
  return result;
}
