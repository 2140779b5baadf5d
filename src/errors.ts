/**
 * Every error haco reports on purpose is a HacoError: a stable code (for tests and `--json`), a hint
 * that tells the user what to do, an exit code that means something, and — when the error comes from a
 * definition file — the place in that file.
 */
import { EXIT, type ErrorCode } from './error-catalogue';

// Exit codes and error codes, with their meanings, live in one table: src/error-catalogue.ts (docs/errors.md).
export { EXIT, type ErrorCode } from './error-catalogue';

export interface SourceLocation {
  /** Absolute path of the file (after source mapping: the user's .haco.ts, not the bundle). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export class HacoError extends Error {
  /** A key of ERROR_CODES (src/error-catalogue.ts): a new code is one line there. */
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;
  location: SourceLocation | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; exitCode?: number; location?: SourceLocation; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT.failure;
    this.location = options.location;
  }
}

/** Bad flags or arguments on the command line. */
export class UsageError extends HacoError {
  constructor(message: string, hint?: string) {
    super('E_USAGE', message, { hint, exitCode: EXIT.usage });
  }
}

/** Something the host must provide is missing (root, a tool, a kernel feature). */
export class HostError extends HacoError {
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(code, message, { hint, exitCode: EXIT.host });
  }
}

/**
 * A cgroup problem found while planning a container's cgroup on this host (a missing controller, an
 * unknown cgroup layout). Reported before anything is created, so nothing needs cleaning up.
 */
export class CgroupError extends HacoError {
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(code, message, { hint, exitCode: EXIT.host });
  }
}
