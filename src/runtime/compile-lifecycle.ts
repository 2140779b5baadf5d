import type { CgroupSetup } from '../cgroup/types';
import type { ContainerPlan, RestartPlan } from '../plan/types';
import { HOST_MODES, octal } from '../state/paths';
import type { SpecWriter } from './spec-writer';

/**
 * What the launcher needs to act as a supervisor (docs/lifecycle.md): where the state lives, what to
 * write there, and the restart policy. Decided by `haco start` (src/start/start.ts); absent for specs that
 * only print (`haco plan --launch`).
 */
export interface LifecycleOptions {
  /** The container's state directory (RUN_DIR/NAME): lock, state file, logs. */
  stateDir: string;
  /** Detached: the state stays after the exit (ps shows "exited"); foreground: removed at the exit. */
  keep: boolean;
  /** Only detached containers restart: a foreground one reports its status to the caller instead. */
  restart?: RestartPlan;
  /** Written to STATE/plan.json once the lock is held (attach and reload read it). */
  planJson: string;
  /** Extra `key=value` lines of the state file (plan hash, source file…); the compiler adds the cgroups. */
  meta: Record<string, string>;
  /**
   * The container's one log (detached): its stdout and stderr through pipes, one CRI line each
   * (`TIME stdout F text`), plus the supervisor's events; renamed to PATH.1 past maxBytes.
   */
  log?: { path: string; maxBytes: number };
  /** A detached container with a pty: the socket its supervisor serves the console on (`haco attach`). */
  console?: string;
  /**
   * The OCI runtime's "created" (src/oci-runtime): a fifo, opened before the spawn (`start-fifo`); the
   * child does everything but its exec, reports it (`wait-start`) and reads the fifo until
   * `haco runtime start` writes to it.
   */
  waitStart?: string;
  /**
   * The OCI runtime: the supervisor exits once the program runs, so its parent becomes the engine's
   * subreaper (podman's conmon waits for it, as for runc); `haco runtime delete` removes the cgroups.
   */
  supervisorExits?: boolean;
  /**
   * The OCI runtime's `--console-socket` (with a `pty`): the launcher sends the pty master to this
   * AF_UNIX socket of the engine (SCM_RIGHTS) and keeps no copy.
   */
  consoleSocket?: string;
}

export function emitLifecycle(w: SpecWriter, c: ContainerPlan, life: LifecycleOptions | undefined, cgroup: CgroupSetup): void {
  // Every hook and cleanup command learns where the container lives, with or without a state dir.
  w.step('hook-env', 'HACO_ROOTFS', c.rootfs.path);
  if (!life) return;
  w.comment(`state in ${life.stateDir}: the launcher holds its lock for its whole life, so a second start of "${c.name}" fails`);
  w.step('state-dir', life.stateDir, life.keep ? 'keep' : 'remove', octal(HOST_MODES.private));
  w.step('hook-env', 'HACO_STATE_DIR', life.stateDir);
  for (const [key, value] of Object.entries(life.meta)) w.step('state-meta', key, value);
  // Where `haco ps`, kill and attach find the container's processes.
  w.step('state-meta', 'cgroups', cgroup.cleanup.join(','));
  w.step('state-meta', 'tracking', cgroup.tracking);
  // A config's cgroupsPath may make parents of its own: `haco runtime delete` removes them when left empty.
  if (cgroup.parents?.length) w.step('state-meta', 'cgroup-parents', cgroup.parents.join(','));
  w.step('state-file', 'plan.json', life.planJson);
  if (life.supervisorExits) {
    w.comment('the supervisor exits once the program runs: the engine reaps it; `haco runtime delete` removes the cgroups');
    w.step('supervisor-exits');
  }
  if (life.console) {
    w.comment(`the supervisor keeps the pty and serves it on ${life.console}: haco attach ${c.name} connects`);
    w.step('console', life.console);
  }
  if (life.consoleSocket) {
    w.comment(`the pty master goes to the engine's socket ${life.consoleSocket} (SCM_RIGHTS); the launcher keeps no copy`);
    w.step('console-socket', life.consoleSocket);
  }
  if (life.log) {
    w.comment(`stdout and stderr through pipes into ${life.log.path}, one timestamped line each (haco logs)`);
    w.step('log', life.log.path, life.log.maxBytes);
  }
  if (life.restart && life.restart.policy !== 'no') {
    w.comment(`restart ${life.restart.policy}: the supervisor starts the container again, waiting ${life.restart.backoffMs} ms, doubled each time`);
    w.step('restart', life.restart.policy, life.restart.maxRetries, life.restart.backoffMs);
  }
  w.step('hint', 'state-dir', 'EAGAIN', `see it with \`haco ps\`; stop it with \`haco kill ${c.name}\` first`);
}
