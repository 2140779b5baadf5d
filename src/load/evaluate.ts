import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { HacoError, type SourceLocation } from '../errors';
import * as haco from '../dsl-exports';
import { DefinitionError } from './definition-error';
import { BundleMapper, bundleFileName } from './source-map';
import type { Bundle } from './bundle';

/** How long a definition may run before it is treated as an endless loop. */
export function evaluationTimeoutMs(): number {
  const fromEnv = Number(process.env['HACO_EVAL_TIMEOUT_MS']);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 5000;
}

/** How much heap a definition may use (MiB) before its evaluation is stopped. */
export function evaluationHeapMiB(): number {
  const fromEnv = Number(process.env['HACO_EVAL_HEAP_MB']);
  return Number.isFinite(fromEnv) && fromEnv >= 16 ? Math.floor(fromEnv) : 512;
}

/** Thrown in place of process.exit() while a definition runs: exiting would end haco "successfully". */
class DefinitionExit extends Error {
  constructor(readonly exitCode: unknown) {
    super(`process.exit(${exitCode === undefined ? '' : JSON.stringify(exitCode)})`);
  }
}

/**
 * Run the bundled definition and return its default export. This runs inside the evaluation worker
 * (src/load/evaluate-worker.ts), which bounds its heap and, from the outside, its time — promise jobs
 * included. vm's own timeout still interrupts a synchronous loop early with a precise message. The
 * bundle's frames carry a recognisable file name so stack traces and DSL call sites are mapped back to
 * the user's .haco.ts.
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
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back, never called here
  const exit = process.exit;
  process.exit = ((code?: unknown) => {
    throw new DefinitionExit(code);
  }) as typeof process.exit;
  try {
    vm.runInContext('run()', vm.createContext({ run }), { filename: 'haco-evaluate', timeout });
  } catch (error) {
    if ((error as { code?: string } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw timedOut(entry, timeout);
    throw thrownByDefinition(entry, error, mapper);
  } finally {
    process.exit = exit;
  }
  const exported = module.exports;
  if ('default' in exported) return exported['default'];
  throw new DefinitionError('E_NO_DEFAULT_EXPORT', `${path.basename(entry)} has no default export`, {
    hint: "end the file with `export default defineContainer('name')…` (or an array of containers)",
    location: { file: entry, line: 1, column: 1 },
  });
}

export function timedOut(entry: string, timeout: number): DefinitionError {
  return new DefinitionError('E_TIMEOUT', `${path.basename(entry)} did not finish within ${timeout} ms`, {
    hint: 'look for an endless loop in the definition, also in promise callbacks (or raise HACO_EVAL_TIMEOUT_MS)',
    location: { file: entry, line: 1, column: 1 },
  });
}

export function exitedDuring(entry: string, code: unknown, location?: SourceLocation): DefinitionError {
  return new DefinitionError('E_DEFINITION_EXIT', `${path.basename(entry)} called process.exit(${code === undefined ? '' : JSON.stringify(code)}) while being evaluated; a definition must export its containers`, {
    hint: 'remove the process.exit() call: throw an Error to stop with a message',
    location: location ?? { file: entry, line: 1, column: 1 },
  });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** What the definition threw, as a DefinitionError at the line that threw (when a stack tells it). */
export function thrownByDefinition(entry: string, error: unknown, mapper: BundleMapper): DefinitionError {
  // A DSL misuse (unknown option, unknown method) is already an error with a message: keep it, mapped.
  if (error instanceof HacoError) {
    const location = error.location ? mapper.map(error.location) : mapper.locate(error);
    return new DefinitionError(error.code, error.message, { ...(error.hint ? { hint: error.hint } : {}), ...(location ? { location } : {}) });
  }
  const location = mapper.locate(error);
  if (error instanceof DefinitionExit) return exitedDuring(entry, error.exitCode, location);
  // Duck-typed: an Error from another realm (the vm's) fails `instanceof Error`.
  const isErrorLike = error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string' && typeof (error as { stack?: unknown }).stack === 'string';
  const message = isErrorLike
    ? `${path.basename(entry)} threw: ${(error as { message: string }).message}`
    : `${path.basename(entry)} threw a non-Error value: ${describe(error)}`;
  const result = new DefinitionError('E_THROWN', message, {
    hint: isErrorLike ? 'the definition ran and threw this error; fix the code at this line' : 'throw new Error("…") gives a message and the line it came from',
    location: location ?? { file: entry, line: 1, column: 1 },
    cause: error,
  });
  const stack = isErrorLike ? (error as { stack: string }).stack : undefined;
  if (stack !== undefined) result.stack = mapper.rewriteStack(stack);
  return result;
}
