import * as path from 'node:path';
import { constants } from 'node:os';
import { cgroupPids } from '../cgroup/procs';
import { EXIT, HacoError, UsageError } from '../errors';
import { isSameProcess, readState, requireState, type ContainerState } from '../state';

/**
 * glibc's SIGRTMIN (the kernel's 32 and 33 are taken by glibc's threads): the supervisor reads it as
 * "stop, do not restart" and does not forward it (native/src/proc.c).
 */
export const STOP_SIGNAL = 34;

export function signalNumber(name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const upper = name.toUpperCase();
  const key = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as keyof typeof constants.signals;
  const n = constants.signals[key];
  if (n === undefined) throw new UsageError(`unknown signal "${name}"`, 'use a name like TERM, INT, KILL, HUP or a number');
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function supervisorAlive(s: ContainerState): boolean {
  return isSameProcess(s.recorded.supervisor, s.recorded.supervisorStart);
}

function send(pid: number, signal: number): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** SIGKILL to every process left in the container's tracking cgroup (no pid namespace: init's death kills nothing else). */
function killCgroup(s: ContainerState): void {
  const tracking = s.recorded.meta['tracking'];
  if (tracking) for (const pid of cgroupPids(tracking)) send(pid, constants.signals.SIGKILL);
}

/**
 * `haco kill -s SIG`: exactly SIG to the container's init, nothing else — no stop request to the
 * supervisor, no escalation. Returns the pid signalled.
 */
export function signalContainer(name: string, signal: number): number {
  const s = requireState(name);
  if (s.status !== 'running' || !isSameProcess(s.recorded.pid, s.recorded.pidStart)) {
    throw new HacoError('E_NOT_RUNNING', `container "${name}" is not running (${s.status})`, { hint: 'see `haco ps`', exitCode: EXIT.state });
  }
  process.kill(s.recorded.pid, signal);
  return s.recorded.pid;
}

/**
 * `haco kill --supervisor -s USR1|USR2`: the signal to the container's supervisor, whose event process runs the
 * plan's `.onSignal()` command (native/src/events.c). A plan without one has USR1/USR2 in its forwarded
 * signals, so the supervisor passes it on to the container instead.
 */
export function signalSupervisor(name: string, signal: number): number {
  const s = requireState(name);
  if (s.status !== 'running' || !supervisorAlive(s)) {
    throw new HacoError('E_NOT_RUNNING', `container "${name}" is not running (${s.status})`, { hint: 'see `haco ps`', exitCode: EXIT.state });
  }
  process.kill(s.recorded.supervisor, signal);
  return s.recorded.supervisor;
}

export function describeStop(r: KillResult): string {
  const how = r.escalated && r.signal !== constants.signals.SIGKILL ? ' (SIGKILL after the timeout)' : '';
  return `${r.name} stopped${how}: exit ${r.exitCode ?? '?'}, after ${r.waitedMs} ms\n`;
}

export interface KillResult {
  name: string;
  signal: number;
  escalated: boolean;
  exitCode: number | undefined;
  waitedMs: number;
}

interface Pending {
  name: string;
  state: ContainerState;
  escalated: boolean;
  t0: number;
  resolve: (r: KillResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Signal the container and wait until its supervisor has recorded the exit and is gone (so `haco ps` says
 * exited and a new start may take the name). After `timeoutMs` the container gets SIGKILL.
 */
export async function killContainer(name: string, signal: number, timeoutMs: number): Promise<KillResult> {
  const [r] = await killContainers([name], signal, timeoutMs);
  if (r!.error) throw r!.error;
  return r!.result!;
}

export interface KillOutcome {
  name: string;
  result?: KillResult;
  error?: HacoError;
}

/**
 * `haco kill/stop a b c` and `--all`: every container is signalled at once, then ONE loop polls the state
 * files of those still going (every 50 ms, a read of one small file each) until each supervisor has
 * recorded its exit and is gone, escalating each to SIGKILL at its own timeout. Signalling is instant, so
 * all containers stop in parallel; the cost in haco is one state read per container per round. Outcomes in
 * the order of NAMES; one container's error never stops the others.
 */
export async function killContainers(names: readonly string[], signal: number, timeoutMs: number): Promise<KillOutcome[]> {
  const outcomes = new Map<string, KillOutcome>();
  let pending: Pending[] = [];
  const done: Array<Promise<void>> = [];
  for (const name of new Set(names)) {
    const outcome: KillOutcome = { name };
    outcomes.set(name, outcome);
    try {
      const s = requireState(name);
      if (s.status === 'exited' || s.status === 'stale') {
        throw new HacoError('E_NOT_RUNNING', `container "${name}" is not running (${s.status})`, { hint: `clear it with \`haco rm ${name}\``, exitCode: EXIT.state });
      }
      const t0 = Date.now();
      send(s.recorded.supervisor, STOP_SIGNAL);
      if (isSameProcess(s.recorded.pid, s.recorded.pidStart)) send(s.recorded.pid, signal);
      const escalated = signal === constants.signals.SIGKILL;
      if (escalated) killCgroup(s);
      done.push(
        new Promise<KillResult>((resolve, reject) => pending.push({ name, state: s, escalated, t0, resolve, reject })).then(
          (r) => void (outcome.result = r),
          (e: unknown) => void (outcome.error = e as HacoError),
        ),
      );
    } catch (error) {
      outcome.error = error instanceof HacoError ? error : new HacoError('E_KILL', `${name}: ${(error as Error).message}`, { exitCode: EXIT.failure });
    }
  }
  while (pending.length > 0) {
    await sleep(50);
    pending = pending.filter((p) => {
      const now = readState(p.name);
      if (!now || !supervisorAlive(now)) {
        p.resolve({ name: p.name, signal, escalated: p.escalated, exitCode: now?.recorded.exitCode, waitedMs: Date.now() - p.t0 });
        return false;
      }
      if (!p.escalated && Date.now() - p.t0 >= timeoutMs) {
        p.escalated = true;
        if (isSameProcess(now.recorded.pid, now.recorded.pidStart)) send(now.recorded.pid, constants.signals.SIGKILL);
        killCgroup(now);
      }
      if (Date.now() - p.t0 > timeoutMs + 30_000) {
        p.reject(
          new HacoError('E_KILL_TIMEOUT', `the supervisor of "${p.name}" (pid ${now.recorded.supervisor}) did not exit after SIGKILL to the container`, {
            hint: `look at ${path.join(now.dir, 'supervisor.log')}; kill -9 ${now.recorded.supervisor} (its watcher cleans up)`,
          }),
        );
        return false;
      }
      return true;
    });
  }
  await Promise.all(done);
  return [...outcomes.values()];
}
