import { stdoutColours } from '../colour';
import type { CheckStatus, DoctorReport } from './checks';

function marks(chalk = stdoutColours()): Record<CheckStatus, string> {
  return { ok: chalk.green('ok  '), warn: chalk.yellow('warn'), fail: chalk.red('FAIL'), info: chalk.dim('info') };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** The report for a terminal: the host checks, then the tool manifest, then one line of verdict. */
export function renderDoctor(report: DoctorReport, options: { dev: boolean }): string {
  const chalk = stdoutColours();
  const MARK = marks(chalk);
  const out: string[] = [chalk.bold('host')];
  for (const c of report.checks) {
    out.push(`  ${MARK[c.status]}  ${c.title.padEnd(17)} ${c.detail}`);
    if (c.fix && c.status !== 'ok') out.push(`        ${''.padEnd(17)} ${chalk.cyan('fix')} ${c.fix}`);
  }
  // The test and benchmark tools matter to haco's developers only: listed with --dev.
  const shown = report.tools.filter((t) => options.dev || t.set === 'runtime');
  out.push('', chalk.bold(`tools (src/host/tool-manifest.ts${options.dev ? '' : '; --dev adds those of the test suite'})`));
  const rows = [['', 'TOOL', 'PACKAGE', 'NEED', 'FOR'], ...shown.map((t) => [MARK[t.status], t.name, t.package ?? '-', t.set === 'dev' ? 'dev' : t.need, t.found ? t.feature : `${t.feature} — ${t.fix ?? 'missing'}`])];
  out.push(...table(rows).split('\n').map((l) => `  ${l}`));
  const missing = report.tools.filter((t) => !t.found && t.package && t.set === 'runtime').map((t) => t.package!);
  const devMissing = report.tools.filter((t) => !t.found && t.package && t.set === 'dev').map((t) => t.package!);
  out.push('');
  if (missing.length > 0) out.push(`all runtime tools: apt-get install ${[...new Set(missing)].join(' ')}`);
  if (options.dev && devMissing.length > 0) out.push(`test tools (for npm test): apt-get install ${[...new Set(devMissing)].join(' ')}`);
  out.push(report.ok ? chalk.green('haco can run containers on this host') + (report.checks.some((c) => c.status === 'warn') ? ' (see the warnings for what does not work)' : '') : chalk.red('haco cannot run containers here yet: fix the FAIL lines'));
  return `${out.join('\n')}\n`;
}
