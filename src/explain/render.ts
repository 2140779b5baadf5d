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

/** `cgroup-mkdir ×2, cgroup-write`: the step kinds of a section, in order, counted. */
function specSummary(lines: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const kind = line.split(' ')[0]!;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => (n > 1 ? `${kind} ×${n}` : kind)).join(', ');
}

/**
 * The explanation as a learner reads it in a terminal: numbered steps, each with what happens, the
 * system calls involved (dimmed: for looking up in man pages) and "see it" lines to try, then the
 * shared-versus-isolated table.
 */
export function renderExplanation(e: ContainerExplanation, style: ExplainStyle = PLAIN): string {
  const out: string[] = [];
  out.push(style.bold(`${e.name}: what \`haco start\` does, step by step`));
  out.push(style.dim(`on this host: ${e.host}; every step below is a step of the launch spec (\`haco plan --launch\`)`));
  for (const notice of e.notices ?? []) out.push(`${style.bold('notice (rootless):')} ${notice}`);
  out.push('');
  e.steps.forEach((step, index) => {
    out.push(`${String(index).padStart(2)}. ${style.bold(step.title)}`);
    for (const line of step.lines) out.push(`${INDENT}${line}`);
    if (step.kernel.length) out.push(`${INDENT}${style.dim(`kernel: ${step.kernel.join('; ')}`)}`);
    if (step.spec.length) out.push(`${INDENT}${style.dim(`launch spec: ${specSummary(step.spec)}`)}`);
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
