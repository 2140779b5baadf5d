import { formatSize } from '../plan/size';
import type { PlanDiff } from './diff-plans';
import type { Change, JsonValue } from './values';

export interface DiffStyle {
  bold: (s: string) => string;
  green: (s: string) => string;
  red: (s: string) => string;
  dim: (s: string) => string;
}

const PLAIN: DiffStyle = { bold: (s) => s, green: (s) => s, red: (s) => s, dim: (s) => s };

/** One readable line per change: `namespaces.unshare: + net`, `cgroup.resources.cpu.quotaUs: 30000 → 50000`. */
export function formatChange(change: Change, style: DiffStyle = PLAIN): string {
  switch (change.kind) {
    case 'changed':
      return `${change.path}: ${style.red(show(change.before, change.path))} → ${style.green(show(change.after, change.path))}`;
    case 'added':
      return change.member ? `${change.path}: ${style.green(`+ ${show(change.after)}`)}` : `${change.path}: ${style.dim('(unset)')} → ${style.green(show(change.after, change.path))}`;
    case 'removed':
      return change.member ? `${change.path}: ${style.red(`- ${show(change.before)}`)}` : `${change.path}: ${style.red(show(change.before, change.path))} → ${style.dim('(unset)')}`;
  }
}

/** The whole diff as text: a header per container (`~` changed, `+` only in B, `-` only in A). */
export function renderDiff(diff: PlanDiff, labels: { a: string; b: string }, style: DiffStyle = PLAIN): string {
  if (diff.equal) return `${style.dim(`no differences between ${labels.a} and ${labels.b}`)}\n`;
  const out: string[] = [];
  for (const c of diff.containers) {
    if (c.status === 'same') out.push(style.dim(`= ${c.name} (no change)`));
    else if (c.status === 'added') out.push(style.green(`+ ${c.name} (only in ${labels.b})`));
    else if (c.status === 'removed') out.push(style.red(`- ${c.name} (only in ${labels.a})`));
    else {
      out.push(style.bold(`~ ${c.name}`));
      for (const change of c.changes) out.push(`  ${formatChange(change, style)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** Plan fields that hold bytes: shown as `64M (67108864)` so the unit is visible. */
const BYTE_FIELDS = /(memory\.(max|swapMax|low)|\.size|Bps)$/;

/** Scalars bare when they read unambiguously, everything else as JSON. */
function show(value: JsonValue, path = ''): string {
  if (typeof value === 'number' && BYTE_FIELDS.test(path) && value >= 1024) return `${formatSize(value)} (${value})`;
  if (typeof value === 'string') return /^[\w@%+=:,./-]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}
