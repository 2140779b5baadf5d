import * as path from 'node:path';
import { EXIT, HacoError } from '../errors';
import { networkPreflight } from '../network/preflight';
import { fingerprint } from '../plan/fingerprint';
import { pickContainer } from '../plan/pick';
import { preserveFdsOption } from '../plan/preserve-fds';
import type { ContainerPlan, Plan, ReadinessPlan } from '../plan/types';
import { compileLaunchSpec } from '../runtime/compile';
import { decideAppArmor } from '../runtime/compile-apparmor';
import { ensureDefaultProfileFile } from '../apparmor/profile-file';
import type { LifecycleOptions } from '../runtime/compile-lifecycle';
import { consoleSocketOf, logFileOf, readState, stateDirOf } from '../state';
import { secureContainerHome } from '../state/host-dir';
import { detectHostFacts } from '../runtime/host-facts';
import { findLauncher } from '../runtime/launcher-path';
import { containerForThisUser } from '../rootless/adapt';
import { reportRootlessNotices } from './rootless';
import { handOver } from './handoff';
import { preflight } from './preflight';
import { createSeccompCacheDir, seccompCacheDir } from './seccomp-cache';
import { sweepStaleCgroups } from './sweep';
import { readinessMeta } from './wait-ready';
import { decideTerminal, type TerminalRequest } from './terminal';

export interface StartRequest extends TerminalRequest {
  file: string;
  container?: string;
  /** Replaces the container's command. */
  command?: string[];
  trace: boolean;
  /**
   * `haco start -d`: the launcher daemonizes as the container's supervisor once the exec succeeded.
   * Unset: the definition's `.daemonize()` decides (process.daemonize); `--no-detach` sets false.
   */
  detach?: boolean;
  /**
   * Changes for this start only: the command-line toggles (`--share pid --cpu 30%`…, src/dsl/toggles.ts).
   * Passed in by `haco start` so that this module, and with it the fast path's bundle, never loads the
   * DSL and the plan builder.
   */
  edit?: (container: ContainerPlan) => ContainerPlan;
  /** `--preserve-fds N`: replaces the plan's process.preserveFds. */
  preserveFds?: number;
  /**
   * `--rm` with -d: the supervisor removes the state dir (record, log) on its way out, as it does after
   * a foreground start. No effect in the foreground, which never keeps a state.
   */
  remove?: boolean;
}

/**
 * `haco start` in the foreground, from an evaluated plan: checks → launch spec → the launcher takes
 * over. Returns the status node should exit with (0 after a handoff: the user's shell then sees the
 * launcher's own status, because the wrapper execs it). Kept free of the loader so the fast path can
 * start from a cached plan without loading esbuild or oclif.
 */
export async function startFromPlan(plan: Plan, request: StartRequest): Promise<number> {
  createSeccompCacheDir();
  const prepared = await prepareStart(plan, request);
  return handOver(prepared.argv, prepared.spec, prepared.preserveFds);
}

export interface PreparedStart {
  /** The container's name (after picking one of the plan). */
  name: string;
  /** The launcher's command line, without `--spec-fd`. */
  argv: string[];
  /** The launch spec to hand it. */
  spec: string;
  /** fds 3..3+N-1 pass to the command: the spec goes on an fd after them (see launcherFds). */
  preserveFds: number;
  /** The container's readiness probe, for `--wait-ready`. */
  readiness: ReadinessPlan | undefined;
}

/** Everything before the handoff: checks, the launch spec, the launcher (built on first use). */
export async function prepareStart(plan: Plan, request: StartRequest): Promise<PreparedStart> {
  // An ordinary user: the container's haco paths under their data root, in a user namespace of its own.
  const original = containerForThisUser(pickContainer(plan, request.file, request.container));
  let container = original;
  if (request.edit) container = request.edit(container);
  if (request.command) container = { ...container, process: { ...container.process, args: request.command } };
  if (request.preserveFds !== undefined) container = { ...container, process: { ...container.process, preserveFds: preserveFdsOption(request.preserveFds) } };
  const detach = request.detach ?? container.process.daemonize;
  refuseIfRunning(container.name);
  preflight(container, request.container ? `${request.file}#${request.container}` : request.file);
  // An install from before the rootfs homes were closed gets them closed now (no-op when they are).
  secureContainerHome(container, { create: false });
  await networkPreflight(container);
  const facts = detectHostFacts();
  // Rootless containers make no cgroups, and root's leftovers of the same name are not this user's to remove.
  if (!facts.rootless) sweepStaleCgroups(facts.cgroup, { names: [container.name], trace: request.trace });
  else reportRootlessNotices(container, facts);
  const stateDir = stateDirOf(container.name);
  const decided = decideTerminal(container, { ...request, detach });
  container = decided.container;
  const planJson = JSON.stringify(original);
  const lifecycle: LifecycleOptions = {
    stateDir,
    keep: detach && request.remove !== true,
    ...(detach ? { restart: container.restart, log: { path: logFileOf(stateDir), maxBytes: LOG_MAX_BYTES } } : {}),
    ...(detach && decided.terminal ? { console: consoleSocketOf(stateDir) } : {}),
    // The plan as the file says (without a `-- CMD` override), so `haco reload FILE` compares like with like.
    planJson,
    meta: {
      plan_hash: fingerprint(planJson),
      source: path.resolve(plan.source || request.file),
      command: JSON.stringify(container.process.args),
      detached: detach ? '1' : '0',
      ...(detach && request.remove ? { auto_remove: '1' } : {}),
      ...readinessMeta(container.supervision?.readiness),
    },
  };
  // No learner comments: nobody reads the handed-over text (`haco plan --spec` prints the commented one).
  // The spec's load step reads haco's default AppArmor profile from its cache file: write it first.
  if (decideAppArmor(container, facts).kind === 'apply' && container.apparmor?.builtin === 'default') ensureDefaultProfileFile();
  // The filter's BPF kept between launches (seccomp-prepared). A warm start replays this spec: should the
  // dir stop being trusted, the launcher builds the filter from the spec's rules, as without the step.
  const seccompCache = seccompCacheDir(container, facts);
  const spec = compileLaunchSpec(container, facts, {
    lifecycle,
    comments: false,
    ...(decided.terminal ? { terminal: decided.terminal } : {}),
    ...(seccompCache ? { seccompCache } : {}),
  });
  const argv = [findLauncher(), ...(request.trace ? ['--trace'] : []), ...(detach ? ['--detach'] : [])];
  return { name: container.name, argv, spec: spec.text, preserveFds: container.process.preserveFds ?? 0, readiness: container.supervision?.readiness };
}

/** A friendly early answer; the launcher's lock is what really decides (two starts may race past this). */
function refuseIfRunning(name: string): void {
  const state = readState(name);
  if (state && state.status !== 'exited' && state.status !== 'stale') {
    throw new HacoError('E_ALREADY_RUNNING', `container "${name}" is already ${state.status} (pid ${state.recorded.pid}, supervisor ${state.recorded.supervisor})`, {
      hint: `see it with \`haco ps\`; stop it with \`haco kill ${name}\``,
      exitCode: EXIT.state,
    });
  }
}

/** A detached container's log is capped: past this size it is rotated once (container.log.1). */
const LOG_MAX_BYTES = 10 * 1024 * 1024;
