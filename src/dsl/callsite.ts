import * as path from 'node:path';
import type { SourceLocation } from '../errors';

// Every frame that belongs to haco itself is skipped; the first remaining frame is the user's call.
// In development that is src/dsl/*, once bundled it is dist/*.js — both are this file's directory.
const OWN_DIR = path.dirname(__filename) + path.sep;

type V8CallSite = {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
};

/**
 * Where the user called the DSL method that is running now. Captured at call time (esbuild does the
 * same for plugin registrations) so that a validation error found much later can still point at the
 * line that caused it. The location may be in a bundle; the loader maps it back to the .haco.ts.
 */
export function captureCallsite(): SourceLocation | undefined {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back, never called here
  const originalPrepare = Error.prepareStackTrace;
  const originalLimit = Error.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  try {
    Error.stackTraceLimit = 30;
    Error.prepareStackTrace = (_error, frames) => frames;
    Error.captureStackTrace(holder, captureCallsite);
    const frames = holder.stack as V8CallSite[] | undefined;
    for (const frame of frames ?? []) {
      const file = frame.getFileName();
      if (!file || file.startsWith('node:') || file.startsWith(OWN_DIR)) continue;
      return { file, line: frame.getLineNumber() ?? 0, column: frame.getColumnNumber() ?? 0 };
    }
    return undefined;
  } finally {
    Error.prepareStackTrace = originalPrepare;
    Error.stackTraceLimit = originalLimit;
  }
}
