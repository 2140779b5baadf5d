import { EXIT, HacoError, type ErrorCode, type SourceLocation } from '../errors';
import type { LocatedIssue } from '../plan/build';

/** The definition file cannot become a valid plan: a syntax error, a throw, a timeout or bad fields. */
export class DefinitionError extends HacoError {
  readonly issues: LocatedIssue[];

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; location?: SourceLocation; issues?: LocatedIssue[]; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, exitCode: EXIT.definition });
    this.issues = options.issues ?? [];
  }
}
