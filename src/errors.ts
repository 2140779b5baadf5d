/**
 * Every error haco reports on purpose is a HacoError: a stable code (for tests and `--json`), a hint
 * that tells the user what to do, an exit code that means something, and — when the error comes from a
 * definition file — the place in that file.
 */

export interface SourceLocation {
  /** Absolute path of the file (after source mapping: the user's .haco.ts, not the bundle). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** Exit codes shared by every command (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** The definition file is invalid (syntax, throw, validation). */
  definition: 3,
  /** The host lacks something (root, a tool, a cgroup controller, the launcher build). */
  host: 4,
  /** A container, rootfs or state that was asked for does not exist or is in the wrong state. */
  state: 5,
  /** The launcher failed before the container's command started (see docs/launch-spec.md). */
  launch: 125,
} as const;

export class HacoError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;
  location: SourceLocation | undefined;

  constructor(
    code: string,
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
  constructor(code: string, message: string, hint?: string) {
    super(code, message, { hint, exitCode: EXIT.host });
  }
}

/**
 * A cgroup problem found while planning a container's cgroup on this host (a missing controller, an
 * unknown cgroup layout). Reported before anything is created, so nothing needs cleaning up.
 */
export class CgroupError extends HacoError {
  constructor(code: string, message: string, hint?: string) {
    super(code, message, { hint, exitCode: EXIT.host });
  }
}
