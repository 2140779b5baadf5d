import type { ContainerExplanation } from './types';

/** Text styles (chalk's, or identity functions for plain text). */
export interface ExplainStyle {
  bold: (s: string) => string;
  dim: (s: string) => string;
  cyan: (s: string) => string;
}

/** Lines are not hard-wrapped: copying a command out of a wrapped line would break it. */
const INDENT = '      ';

const PLAIN: ExplainStyle = { bold: (s) => s, dim: (s) => s, cyan: (s) => s };

/**
 * The explanation as a learner reads it in a terminal: numbered steps, each with what happens, the
 * system calls involved (dimmed: for looking up in man pages) and "see it" lines to try, then the
 * shared-versus-isolated table.
 */
export function renderExplanation(e: ContainerExplanation, style: ExplainStyle = PLAIN): string {
  const out: string[] = [];
  out.push(style.bold(`${e.name}: what \`haco start\` does, step by step`));
  out.push('');
  e.steps.forEach((step, index) => {
    out.push(`${String(index).padStart(2)}. ${style.bold(step.title)}`);
    for (const line of step.lines) out.push(`${INDENT}${line}`);
    if (step.kernel.length) out.push(`${INDENT}${style.dim(`kernel: ${step.kernel.join('; ')}`)}`);
    for (const see of step.seeIt) out.push(`${INDENT}${`${style.cyan('see it:')} ${see}`}`);
    out.push('');
  });
  out.push(style.bold('Shared with the host vs. isolated'));
  const width = Math.max(...e.sharing.map((r) => r.what.length));
  const statusWidth = Math.max(...e.sharing.map((r) => r.status.length));
  for (const row of e.sharing) {
    out.push(`  ${row.what.padEnd(width)}  ${row.status.padEnd(statusWidth)}  ${row.detail}`);
    out.push(`  ${' '.repeat(width + statusWidth + 4)}${style.dim(`see it: ${row.seeIt}`)}`);
  }
  return `${out.join('\n')}\n`;
}
