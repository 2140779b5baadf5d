import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, HacoError } from '../errors';
import { isContainerName } from '../plan/names';
import type { ContainerPlan } from '../plan/types';
import { isSameProcess } from './proc';
import { runDir, stateDirOf } from './paths';

/** What the supervisor wrote in STATE/state (native/src/state.c), parsed. */
export interface RecordedState {
  name: string;
  /** As written: starting, running, restarting, exited. */
  status: string;
  supervisor: number;
  supervisorStart: number;
  pid: number;
  pidStart: number;
  /** Epoch seconds of the current run. */
  started: number;
  exitCode: number | undefined;
  restarts: number;
  reason: string;
  /**
   * TS-decided lines (`state-meta`): plan_hash, source, cgroups, tracking, command; after `haco reload`,
   * plan_hash and reloaded (epoch s) from STATE/reload.
   */
  meta: Record<string, string>;
}

/** What is true now: `stale` = the state says alive but its supervisor is gone (crash, reboot, pid reused). */
export type LiveStatus = 'starting' | 'running' | 'restarting' | 'exited' | 'stale';

export interface ContainerState {
  name: string;
  dir: string;
  recorded: RecordedState;
  status: LiveStatus;
}

const KNOWN = new Set(['name', 'status', 'supervisor', 'supervisor_start', 'pid', 'pid_start', 'started', 'exit_code', 'restarts', 'reason']);

export function parseState(text: string): RecordedState {
  const kv: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const num = (k: string) => Number(kv[k] ?? 0) || 0;
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(kv)) if (!KNOWN.has(k)) meta[k] = v;
  return {
    name: kv['name'] ?? '',
    status: kv['status'] ?? 'unknown',
    supervisor: num('supervisor'),
    supervisorStart: num('supervisor_start'),
    pid: num('pid'),
    pidStart: num('pid_start'),
    started: num('started'),
    exitCode: kv['exit_code'] ? Number(kv['exit_code']) : undefined,
    restarts: num('restarts'),
    reason: kv['reason'] ?? '',
    meta,
  };
}

/** Decides the live status: a recorded "running" is believed only while its supervisor really is alive. */
export function assess(recorded: RecordedState, same: (pid: number, start: number) => boolean = isSameProcess): LiveStatus {
  if (recorded.status === 'exited') return 'exited';
  if (!same(recorded.supervisor, recorded.supervisorStart)) return 'stale';
  if (recorded.status === 'running' && !same(recorded.pid, recorded.pidStart)) return 'restarting';
  return recorded.status === 'starting' || recorded.status === 'restarting' ? recorded.status : 'running';
}

export function readState(name: string, root: string = runDir()): ContainerState | undefined {
  if (!isContainerName(name)) return undefined; // a foreign entry in the run dir
  const dir = root === runDir() ? stateDirOf(name) : path.join(root, name);
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'state'), 'utf8');
  } catch {
    return undefined;
  }
  const recorded = parseState(text);
  // `haco reload` records the plan it applied beside the supervisor's file (src/lifecycle/reload.ts).
  // existsSync first: a thrown ENOENT per container (most were never reloaded) is the dearer path, and
  // `haco ps` reads every state.
  const reload = path.join(dir, 'reload');
  if (fs.existsSync(reload)) {
    try {
      Object.assign(recorded.meta, parseState(fs.readFileSync(reload, 'utf8')).meta);
    } catch {
      // removed in between
    }
  }
  // The supervisor's event process records readiness beside the state (native/src/events.c): `ready=yes|no`
  // for the run whose init is `pid`; a record of an earlier run does not count.
  const ready = path.join(dir, 'ready');
  if (recorded.meta['readiness'] && fs.existsSync(ready)) {
    try {
      const r = parseState(fs.readFileSync(ready, 'utf8'));
      if (r.pid === recorded.pid) recorded.meta['ready'] = r.meta['ready'] ?? '';
    } catch {
      // removed in between (the run ended)
    }
  }
  return { name, dir, recorded, status: assess(recorded) };
}

/** Every container with a state dir, sorted by name. A dir without a state file (a start in progress) is skipped. */
export function listStates(root: string = runDir()): ContainerState[] {
  let names: string[];
  try {
    names = fs.readdirSync(root).sort();
  } catch {
    return [];
  }
  return names.map((name) => readState(name, root)).filter((s): s is ContainerState => s !== undefined);
}

/** The state of NAME, or an error that says how to see what exists. */
export function requireState(name: string): ContainerState {
  const state = readState(name);
  if (!state) {
    throw new HacoError('E_NO_CONTAINER', `no container named "${name}" (no state in ${stateDirOf(name)})`, {
      hint: 'list containers with `haco ps`',
      exitCode: EXIT.state,
    });
  }
  return state;
}

export function requireRunning(name: string): ContainerState {
  const state = requireState(name);
  if (state.status !== 'running') {
    throw new HacoError('E_NOT_RUNNING', `container "${name}" is not running (${state.status})`, {
      hint: state.status === 'starting' || state.status === 'restarting' ? 'try again in a moment' : `start it with \`haco start -d ${state.recorded.meta['source'] ?? 'FILE'}\`; clear it with \`haco rm ${name}\``,
      exitCode: EXIT.state,
    });
  }
  return state;
}

/** The plan the container was started from (STATE/plan.json), as the launcher wrote it. */
export function readSavedPlan(state: ContainerState): ContainerPlan {
  const file = path.join(state.dir, 'plan.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ContainerPlan;
  } catch (error) {
    const source = state.recorded.meta['source'] ?? 'FILE';
    throw new HacoError('E_NO_SAVED_PLAN', `the plan "${state.name}" runs is unreadable (${file}: ${(error as Error).message})`, {
      hint: `restart it to record it again: haco kill ${state.name} && haco start -d ${source}`,
      exitCode: EXIT.state,
    });
  }
}

/** Cgroup directories the container was put in (state-meta `cgroups`, comma-separated). */
export function cgroupDirs(state: ContainerState): string[] {
  return (state.recorded.meta['cgroups'] ?? '').split(',').filter(Boolean);
}
