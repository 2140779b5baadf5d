import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import * as path from 'node:path';
import type { SourceLocation } from '../errors';

/** The file name the evaluated bundle runs under, so its frames are told apart from everything else. */
export function bundleFileName(entry: string): string {
  return `haco-bundle:${entry}`;
}

/**
 * Maps positions in the evaluated bundle back to the user's files. esbuild's map is relative to the
 * output file's directory, which we put next to the entry (nothing is written there).
 */
export class BundleMapper {
  readonly #map: TraceMap;
  readonly #bundleFile: string;
  readonly #outDir: string;

  constructor(mapJson: string, entry: string) {
    this.#map = new TraceMap(mapJson);
    this.#bundleFile = bundleFileName(entry);
    this.#outDir = path.dirname(entry);
  }

  /** A location in the bundle → the original file, line and column (1-based); others pass through. */
  map(location: SourceLocation): SourceLocation {
    if (location.file !== this.#bundleFile) return location;
    const original = originalPositionFor(this.#map, { line: location.line, column: Math.max(0, location.column - 1) });
    if (original.source === null || original.line === null) return location;
    return {
      file: path.resolve(this.#outDir, original.source),
      line: original.line,
      column: (original.column ?? 0) + 1,
    };
  }

  /** The first frame of an error's stack that is in the bundle, mapped. */
  locate(error: unknown): SourceLocation | undefined {
    // Duck-typed: an Error from another realm (the vm's) fails `instanceof Error`.
    const stack: unknown = (error as { stack?: unknown } | null)?.stack;
    if (typeof stack !== 'string') return undefined;
    const escaped = this.#bundleFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
    if (!match) return undefined;
    return this.map({ file: this.#bundleFile, line: Number(match[1]), column: Number(match[2]) });
  }

  /** Rewrites every bundle position in a stack trace to the user's file:line:column. */
  rewriteStack(stack: string): string {
    const escaped = this.#bundleFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return stack.replace(new RegExp(`${escaped}:(\\d+):(\\d+)`, 'g'), (_m, line: string, column: string) => {
      const l = this.map({ file: this.#bundleFile, line: Number(line), column: Number(column) });
      return `${l.file}:${l.line}:${l.column}`;
    });
  }
}
