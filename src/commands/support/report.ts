import * as fs from 'node:fs';
import * as path from 'node:path';
import { stderrColours } from '../../colour';
import { HacoError, type SourceLocation } from '../../errors';
import { DefinitionError } from '../../load/definition-error';

/**
 * Errors as people read them: what went wrong, where (file:line:column with the source line and a
 * caret), and what to do. With --json the same facts come as one object on stdout.
 */
export function formatError(error: unknown, cwd = process.cwd()): string {
  const chalk = stderrColours();
  if (!(error instanceof HacoError)) {
    const message = error instanceof Error ? error.stack ?? error.message : String(error);
    return `${chalk.red('error')} ${message}\n${chalk.dim('This is a bug in haco; please report it with the command you ran.')}`;
  }
  const out: string[] = [];
  if (error instanceof DefinitionError && error.issues.length > 1) {
    out.push(`${chalk.red('error')} ${error.message} ${chalk.dim(`[${error.code}]`)}`);
    for (const issue of error.issues) {
      out.push('');
      const where = issue.location ? `${relative(issue.location, cwd)}: ` : '';
      const field = issue.containerName ? `${issue.containerName}.${issue.path}` : issue.path;
      out.push(`${chalk.bold(where)}${issue.message} ${chalk.dim(`(${field})`)}`);
      if (issue.location) out.push(codeFrame(issue.location));
      if (issue.hint) out.push(`  ${chalk.cyan('hint')} ${issue.hint}`);
    }
    return out.join('\n');
  }
  const where = error.location ? `${relative(error.location, cwd)}: ` : '';
  const issue = error instanceof DefinitionError ? error.issues[0] : undefined;
  const field = issue ? ` ${chalk.dim(`(${issue.containerName ? `${issue.containerName}.` : ''}${issue.path})`)}` : '';
  out.push(`${chalk.red('error')} ${chalk.bold(where)}${error.message}${field} ${chalk.dim(`[${error.code}]`)}`);
  if (error.location) out.push(codeFrame(error.location));
  if (error.hint) out.push(`  ${chalk.cyan('hint')} ${error.hint}`);
  return out.join('\n');
}

export function errorToJson(error: unknown): Record<string, unknown> {
  if (!(error instanceof HacoError)) return { error: { code: 'E_INTERNAL', message: String(error) } };
  return {
    error: {
      code: error.code,
      message: error.message,
      hint: error.hint,
      location: error.location,
      issues: error instanceof DefinitionError ? error.issues : undefined,
    },
  };
}

function relative(location: SourceLocation, cwd: string): string {
  const file = path.relative(cwd, location.file);
  return `${file.startsWith('..') ? location.file : file}:${location.line}:${location.column}`;
}

/** Two lines of context, the line itself, and a caret under the column. */
export function codeFrame(location: SourceLocation): string {
  const chalk = stderrColours();
  let lines: string[];
  try {
    lines = fs.readFileSync(location.file, 'utf8').split('\n');
  } catch {
    return '';
  }
  const first = Math.max(1, location.line - 2);
  const last = Math.min(lines.length, location.line + 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === location.line ? chalk.red('>') : ' ';
    out.push(`  ${marker} ${chalk.dim(String(n).padStart(width))} | ${lines[n - 1] ?? ''}`);
    if (n === location.line) out.push(`    ${' '.repeat(width)} | ${' '.repeat(Math.max(0, location.column - 1))}${chalk.red('^')}`);
  }
  return out.join('\n');
}
