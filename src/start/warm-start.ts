import * as path from 'node:path';
import type { Observation } from '../observe/host-reads';
import type { Plan } from '../plan/types';
import { packageRoot } from '../package-root';
import type { StartRequest } from './start';

/**
 * Whether ARGS (haco's arguments: `start|run [--trace] [-d|--detach] FILE[#NAME] [-- CMD…]`) have the
 * one shape whose launch is kept for the native front: no other flag, CMD not empty when `--` is given.
 */
export function keepableShape(args: readonly string[]): boolean {
  if (args[0] !== 'start' && args[0] !== 'run') return false;
  const rest = args.slice(1);
  const dashDash = rest.indexOf('--');
  const head = dashDash >= 0 ? rest.slice(0, dashDash) : rest;
  if (dashDash >= 0 && dashDash === rest.length - 1) return false;
  const files = head.filter((a) => a !== '--trace' && a !== '-d' && a !== '--detach');
  return files.length === 1 && !files[0]!.startsWith('-');
}

/**
 * A start through the native front, as root, for a keepable command line and a plan whose sources are
 * all known (OBSERVED: the bundle's inputs and what the definition read): what the start reads is
 * recorded, and the launch handed over is kept (src/start/warm-spec.ts) for the next identical command,
 * which the front (native/src/front_warm.c) then runs without Node. Anything else: an ordinary start.
 */
export async function startKeepingLaunch(plan: Plan, observed: readonly Observation[] | undefined, request: StartRequest): Promise<number> {
  const args = process.argv.slice(2);
  const viaFront = Number(process.env['HACO_HANDOFF_FD']) > 2 && process.geteuid?.() === 0;
  const { prepareStart, startFromPlan } = await import('./start');
  if (!viaFront || !observed || !keepableShape(args)) return startFromPlan(plan, request);
  const { recordHostReads } = await import('../observe/host-reads');
  const { handOver, forHereDocument } = await import('./handoff');
  const root = packageRoot();
  const own = [path.join(root, 'dist') + path.sep, path.join(root, 'node_modules') + path.sep];
  // `clock`: a start that asked the time (the stale-cgroup sweep's age test) is not kept.
  // Outside the recording: a mkdir would leave nothing to keep.
  const { createSeccompCacheDir } = await import('./seccomp-cache');
  createSeccompCacheDir();
  const { result: prepared, recording } = await recordHostReads(() => prepareStart(plan, request), { skip: own, clock: true });
  if (process.env['HACO_WARM_DEBUG']) process.stderr.write(`haco: launch ${recording.untracked ? `not kept: ${recording.untracked}` : `kept (${recording.observed.length} facts)`}\n`);
  if (recording.untracked === undefined && prepared.preserveFds === 0) {
    const { writeWarmSpec } = await import('./warm-spec');
    writeWarmSpec({ args, launcherArgv: prepared.argv, handedSpec: forHereDocument(prepared.spec), observed: [...observed, ...recording.observed] });
  }
  return handOver(prepared.argv, prepared.spec, prepared.preserveFds);
}
