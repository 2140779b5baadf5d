import * as path from 'node:path';
import { readCachedPlan } from '../load/cache';
import { PLAN_API_VERSION } from '../plan/types';
import { HACO_VERSION } from '../version';

/**
 * Answers the exact argument shapes below and returns true, or returns false and lets oclif handle
 * the command. Output must be byte-identical to the oclif commands' (test/unit/cli/fast-path.test.ts).
 */
export async function tryFastPath(argv: string[]): Promise<boolean> {
  if (argv.length === 1 && (argv[0] === 'version' || argv[0] === '-v' || argv[0] === '--version')) {
    process.stdout.write(`haco ${HACO_VERSION} (plan ${PLAN_API_VERSION}, node ${process.version})\n`);
    return true;
  }
  if (argv[0] === 'plan' && (argv.length === 2 || (argv.length === 3 && argv[2] === '--json')) && !argv[1]!.startsWith('-')) {
    // An ordinary user's plan is adapted (src/rootless) and told with its notices: the full command does both.
    if (process.env['HACO_NO_CACHE'] === '1' || process.geteuid?.() !== 0) return false;
    const cached = readCachedPlan(path.resolve(argv[1]!), HACO_VERSION);
    if (!cached) return false;
    if (argv[2] === '--json') {
      process.stdout.write(`${JSON.stringify(cached.plan, null, 2)}\n`);
      return true;
    }
    const chalk = (await import('../colour')).stdoutColours();
    const { summarizePlan } = await import('../plan/summary');
    process.stdout.write(summarizePlan(cached.plan, { bold: chalk.bold, dim: chalk.dim }, { apparmor: (await import('../runtime/host-facts')).apparmorEnabled() }));
    return true;
  }
  const PS_FLAGS: Record<string, Array<'all' | 'quiet' | 'json'>> = { '-a': ['all'], '--all': ['all'], '-q': ['quiet'], '--quiet': ['quiet'], '-aq': ['all', 'quiet'], '-qa': ['all', 'quiet'], '--json': ['json'] };
  if (argv[0] === 'ps' && argv.slice(1).every((a) => a in PS_FLAGS)) {
    // Reads only haco's state files and /proc: at 300 containers oclif's start-up would be most of it.
    // Any other argument (--help, a typo) goes to the oclif command, which has the same flags.
    const set = new Set(argv.slice(1).flatMap((a) => PS_FLAGS[a]!));
    const { psOutput } = await import('../lifecycle/ps');
    process.stdout.write(psOutput({ all: set.has('all'), quiet: set.has('quiet'), json: set.has('json') }));
    return true;
  }
  if (argv[0] === 'start' || argv[0] === 'run') return fastStart(argv.slice(1));
  return false;
}

/** `start [--trace] [-d] FILE[#NAME] [-- CMD…]` with a fresh cached plan; any other shape goes to oclif. */
async function fastStart(args: string[]): Promise<boolean> {
  const dashDash = args.indexOf('--');
  const head = dashDash >= 0 ? args.slice(0, dashDash) : args;
  const command = dashDash >= 0 ? args.slice(dashDash + 1) : [];
  const trace = head.includes('--trace');
  // Without -d the definition's `.daemonize()` decides (startFromPlan reads it).
  const detach = head.includes('-d') || head.includes('--detach');
  const rest = head.filter((a) => a !== '--trace' && a !== '-d' && a !== '--detach');
  if (rest.length !== 1 || rest[0]!.startsWith('-') || process.env['HACO_NO_CACHE'] === '1') return false;
  if (dashDash >= 0 && command.length === 0) return false;
  // FILE#NAME as every command reads it (a bad one is left to oclif's path, which reports it).
  const { parseFileRef } = await import('../plan/pick');
  let ref: { file: string; container?: string };
  try {
    ref = parseFileRef(rest[0]!);
  } catch {
    return false;
  }
  const cached = readCachedPlan(path.resolve(ref.file), HACO_VERSION);
  if (!cached) return false;
  const { startKeepingLaunch } = await import('../start/warm-start');
  const { EXIT, HacoError } = await import('../errors');
  try {
    const request = { file: ref.file, ...(ref.container ? { container: ref.container } : {}), trace, ...(detach ? { detach } : {}), ...(command.length ? { command } : {}) };
    process.exitCode = await startKeepingLaunch(cached.plan, cached.observed, request);
  } catch (error) {
    // The reporter loads chalk (and with it tty, net, stream): only on the error path. A non-HacoError is
    // a bug: reported the way oclif's path reports it, with a source-mapped stack.
    if (!(error instanceof HacoError)) process.setSourceMapsEnabled(true);
    const { formatError } = await import('../commands/support/report');
    process.stderr.write(`${formatError(error)}\n`);
    process.exitCode = error instanceof HacoError ? error.exitCode : EXIT.failure;
  }
  return true;
}
