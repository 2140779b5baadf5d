import { HacoError, EXIT, type ErrorCode } from '../errors';
import { closest } from '../plan/suggest';
import { captureCallsite } from './callsite';

/**
 * The keys an options object may have, listed once beside its type:
 *
 * ```ts
 * export interface BindOptions { readonly?: boolean; recursive?: boolean; … }
 * const BIND_OPTIONS = optionKeys<BindOptions>()({ readonly: true, recursive: true, … });
 * ```
 *
 * The record must name every key of T and nothing else (tsc fails otherwise), so the list cannot drift
 * from the type. A misspelt key in a definition (`{ readOnly: true }`) is then an error at the user's
 * line instead of an option that silently does nothing.
 */
export function optionKeys<T>(): (keys: { [K in keyof Required<T>]: true }) => OptionKeys {
  return (keys) => Object.freeze(Object.keys(keys));
}

export type OptionKeys = readonly string[];

/** A mistake in how the DSL was called (unknown option key or method), thrown at the user's line. */
export class DslUsageError extends HacoError {
  constructor(code: ErrorCode, message: string, hint: string) {
    const location = captureCallsite();
    super(code, message, { hint, exitCode: EXIT.definition, ...(location ? { location } : {}) });
  }
}

/**
 * Throws when `value` (an options object given to `what`, e.g. ".bind() options") has a key outside
 * `known`. Non-objects are left to the plan's schema check, which reports them with the field's path.
 */
export function checkOptions(what: string, value: unknown, known: OptionKeys): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const guess = closest(key, known);
    throw new DslUsageError(
      'E_UNKNOWN_OPTION',
      `${what}: unknown option "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
      known.length > 0 ? `known options: ${known.join(', ')}` : 'this call takes no options',
    );
  }
}

/** checkOptions for each element of an array option (`ports`, `throttle`, `args`). */
export function checkEach(what: string, values: unknown, known: OptionKeys): void {
  if (!Array.isArray(values)) return;
  values.forEach((v, i) => checkOptions(`${what}[${i}]`, v, known));
}

// Properties that code probing an object asks for without meaning a DSL method: promise detection
// (`await builder`), JSON, util.inspect, jest's matchers and printers.
const PROBES = new Set(['then', 'catch', 'toJSON', 'inspect', 'asymmetricMatch', '$$typeof', 'nodeType', 'tagName', 'constructor', 'prototype', 'length']);

/**
 * Wraps a builder so that calling a method it does not have (`.unshre('net')`) is an error at the
 * user's line with the closest method name, instead of "….unshre is not a function". Methods are bound
 * to the builder itself: its #private fields are not reachable through the proxy.
 */
export function guardMethods<T extends object>(builder: T, kind: string): T {
  const proxy = new Proxy(builder, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value === 'function') return (value as (...args: unknown[]) => unknown).bind(target);
      if (value !== undefined || typeof property !== 'string' || property in target || PROBES.has(property) || property.startsWith('@@') || property.startsWith('_')) {
        return value;
      }
      const methods = methodsOf(target);
      const guess = closest(property, methods);
      throw new DslUsageError(
        'E_UNKNOWN_METHOD',
        `${kind} has no method "${property}"${guess ? ` (did you mean ${guess}?)` : ''}`,
        guess ? `write .${guess}(…)` : `methods: ${methods.join(', ')}`,
      );
    },
  });
  GUARDED.set(builder, proxy);
  return proxy;
}

const GUARDED = new WeakMap<object, object>();

/**
 * The guarded proxy of a builder, for a method that hands its own builder to user code (`.with(fn)`):
 * methods run with `this` bound to the builder itself, so `fn(this)` would give that code the unguarded one.
 */
export function guardedSelf<T extends object>(builder: T): T {
  return (GUARDED.get(builder) as T | undefined) ?? builder;
}

function methodsOf(target: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(target) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && !name.startsWith('to')) names.add(name);
    }
  }
  return [...names].sort();
}
