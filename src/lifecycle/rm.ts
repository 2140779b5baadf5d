import * as fs from 'node:fs';
import * as path from 'node:path';
import { constants } from 'node:os';
import { cgroupTreePids, emptyTreeDeepestFirst } from '../cgroup/procs';
import { HACO_CGROUP_PARENT } from '../cgroup/types';
import { EXIT, HacoError } from '../errors';
import { cgroupLockHints } from '../runtime/compile-hints';
import { runHostSpec } from '../runtime/host-spec';
import { SpecWriter } from '../runtime/spec-writer';
import { cgroupRmdirHints } from '../start/sweep';
import { CGROUP_LOCK_WAIT_MS, cgroupDirs, cgroupLockPath, requireState, type ContainerState } from '../state';

export interface RmResult {
  name: string;
  /** Cgroup directories the launcher removed (deepest first). */
  removedCgroups: string[];
  /** Processes a dead supervisor had left in the container's cgroups, killed. */
  killed: number;
  /** Why this one was not removed (its state is kept then). */
  error?: HacoError;
}

export interface RmOptions {
  /** Pass `--trace` to the launcher: every rmdir and the lock, on stderr. */
  trace?: boolean;
  /** The launcher to run (tests). */
  launcher?: string;
}

/**
 * Removes exited or stale containers, all in one go (`haco rm a b c`, `haco rm --all`): SIGKILL to the
 * processes a dead supervisor left in their cgroups (a container without a pid namespace keeps running
 * when its init dies), then ONE host-only launcher run that removes every cgroup of every container,
 * deepest first, and the shared haco parents if they are left empty (docs/launch-spec.md); then the state
 * dirs of those whose cgroups are gone. A container whose cgroups cannot be removed keeps its state, so the
 * paths are not forgotten, and gets an error naming the pids or the launcher's step/errno/hint. One
 * container's error never stops the others. Node only reads the cgroup tree; the launcher removes.
 */
export async function removeContainers(names: readonly string[], options: RmOptions = {}): Promise<RmResult[]> {
  const results = new Map<string, RmResult>();
  const targets: Array<{ state: ContainerState; dirs: string[] }> = [];
  for (const name of new Set(names)) {
    const result: RmResult = { name, removedCgroups: [], killed: 0 };
    results.set(name, result);
    try {
      const s = requireState(name);
      if (s.status !== 'exited' && s.status !== 'stale') {
        throw new HacoError('E_RUNNING', `container "${name}" is ${s.status}`, { hint: `stop it first (haco kill ${name}), or kill and remove it at once: haco rm -f ${name}`, exitCode: EXIT.state });
      }
      targets.push({ state: s, dirs: cgroupDirs(s).filter((d) => fs.existsSync(d)) });
    } catch (error) {
      result.error = asHacoError(error);
    }
  }
  // Leftover processes of every container at once, then one wait: the kernel takes a killed process out of
  // its cgroup a moment after it dies.
  for (const t of targets) {
    const orphans = [...new Set(t.dirs.flatMap(cgroupTreePids))];
    results.get(t.state.name)!.killed = orphans.length;
    for (const pid of orphans) {
      try {
        process.kill(pid, constants.signals.SIGKILL);
      } catch {
        // gone meanwhile
      }
    }
  }
  const busy = () => targets.some((t) => results.get(t.state.name)!.killed > 0 && t.dirs.some((d) => cgroupTreePids(d).length > 0));
  for (let waited = 0; waited < 2000 && busy(); waited += 20) sleepMs(20);

  const trees = new Map<string, string[]>();
  for (const t of targets) {
    const result = results.get(t.state.name)!;
    const listed: string[] = [];
    const held: string[] = [];
    for (const dir of [...t.dirs].sort((a, b) => depth(b) - depth(a))) {
      const tree = emptyTreeDeepestFirst(dir);
      if (tree) listed.push(...tree);
      else held.push(`${dir} (pids ${cgroupTreePids(dir).join(' ')})`);
    }
    if (held.length > 0) result.error = busyError(t.state.name, held);
    else trees.set(t.state.name, listed);
  }

  const all = [...trees.values()].flat();
  let launchError: HacoError | undefined;
  if (all.length > 0) {
    try {
      runHostSpec(compileRmSpec([...trees.keys()], all), {
        trace: options.trace ?? false,
        what: `removing the cgroups of ${trees.size === 1 ? [...trees.keys()][0] : `${trees.size} containers`}`,
        codes: { '*': 'E_CGROUP_RM' },
        ...(options.launcher ? { launcher: options.launcher } : {}),
      });
    } catch (error) {
      launchError = asHacoError(error);
    }
  }
  const stateDirs: string[] = [];
  for (const t of targets) {
    const result = results.get(t.state.name)!;
    const tree = trees.get(t.state.name);
    if (!tree) continue;
    const left = tree.filter((d) => fs.existsSync(d));
    result.removedCgroups = tree.filter((d) => !left.includes(d));
    if (left.length > 0) {
      result.error = launchError ?? busyError(t.state.name, left.map((d) => `${d} (in use again: pids ${cgroupTreePids(d).join(' ') || 'none, a child group'})`));
      continue;
    }
    stateDirs.push(t.state.dir);
  }
  await removeDirs(stateDirs);
  return [...results.values()];
}

/**
 * The state dirs, several at a time: on a disk-backed run dir each rmdir may wait for the filesystem's
 * journal (seconds for 300 one after the other on a busy ext4), and those waits overlap. Bounded by
 * libuv's thread pool.
 */
async function removeDirs(dirs: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < dirs.length) await fs.promises.rm(dirs[next++]!, { recursive: true, force: true });
  };
  await Promise.all(Array.from({ length: Math.min(RM_CONCURRENCY, dirs.length) }, worker));
}

const RM_CONCURRENCY = 16;

/** One container (the API's `remove()`): its error thrown. */
export async function removeContainer(name: string, options: RmOptions = {}): Promise<RmResult> {
  const [r] = await removeContainers([name], options);
  if (r!.error) throw r!.error;
  return r!;
}

/**
 * The removal as a host-only spec: the cgroup lock (as a launch takes it), every container's groups deepest
 * first, and the haco parents they sit in, which the launcher removes only if they are left empty and no
 * launch holds the lock (the same last-one-out rule as a launch's cleanup-cgroup-parent).
 */
export function compileRmSpec(names: readonly string[], dirs: readonly string[], parents: readonly string[] = []): SpecWriter {
  const w = new SpecWriter();
  w.comment(`haco rm ${names.join(' ')}: a host-only spec (docs/launch-spec.md).`);
  w.step('name', names.length === 1 ? names[0]! : `${names.length}-containers`).step('host-only');
  const lock = cgroupLockPath();
  cgroupRmdirHints(w);
  for (const h of cgroupLockHints(lock)) w.step('hint', h.step, h.errno, h.text);
  w.step('cgroup-lock', lock, String(CGROUP_LOCK_WAIT_MS));
  for (const dir of dirs) w.step('cgroup-rmdir', dir);
  // `parents`: the ones a cgroupsPath made (deepest first, recorded by the launch), before haco's own.
  for (const parent of new Set([...parents, ...dirs.map((d) => path.dirname(d)).filter((d) => path.basename(d) === HACO_CGROUP_PARENT)])) {
    w.step('cleanup-cgroup-parent', parent);
  }
  return w;
}

function busyError(name: string, held: string[]): HacoError {
  return new HacoError('E_BUSY', `container "${name}": cannot remove its cgroups:\n    ${held.join('\n    ')}`, {
    hint: `see what is left with \`cat DIR/cgroup.procs\`; once it is gone, run \`haco rm ${name}\` again (its state is kept until then)`,
    exitCode: EXIT.state,
  });
}

function asHacoError(error: unknown): HacoError {
  if (error instanceof HacoError) return error;
  return new HacoError('E_INTERNAL', error instanceof Error ? error.message : String(error));
}

function depth(dir: string): number {
  return dir.split('/').length;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
