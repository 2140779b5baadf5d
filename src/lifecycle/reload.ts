import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import { planCgroupSetup } from '../cgroup/setup';
import type { CgroupHost } from '../cgroup/types';
import { diffContainers } from '../diff/diff-plans';
import { formatChange } from '../diff/render';
import type { Change } from '../diff/values';
import { EXIT, HacoError } from '../errors';
import { fingerprint } from '../plan/fingerprint';
import type { ContainerPlan, RlimitEntry } from '../plan/types';
import { readSavedPlan, requireRunning } from '../state';

export interface ReloadStep {
  what: string;
  /** A cgroup file write, or the argv of prlimit(1). */
  action: { kind: 'cgroup-write'; path: string; value: string } | { kind: 'prlimit'; argv: string[] };
}

export interface ReloadPlan {
  name: string;
  pid: number;
  stateDir: string;
  steps: ReloadStep[];
  changes: Change[];
  next: ContainerPlan;
}

/** Which changes a running process can take: cgroup limits (files) and rlimits (prlimit(2)). */
function reloadableKind(change: Change): 'cgroup' | 'rlimits' | undefined {
  if (change.path.startsWith('cgroup.')) return 'cgroup';
  if (change.path === 'rlimits' || change.path.startsWith('rlimits')) return 'rlimits';
  return undefined;
}

function limit(v: number | 'unlimited'): string {
  return String(v);
}

/**
 * Compares the definition with the plan the container runs (STATE/plan.json) and decides what to do:
 * cgroup files to rewrite and rlimits to set on its processes. Anything else is refused, listed.
 */
export function planReload(name: string, next: ContainerPlan, host: CgroupHost): ReloadPlan {
  const s = requireRunning(name);
  const current = readSavedPlan(s);
  const changes = diffContainers(current, next);
  const refused = changes.filter((c) => {
    const kind = reloadableKind(c);
    return kind === undefined || !current.reloadable.includes(kind);
  });
  const steps: ReloadStep[] = [];
  const oldSetup = planCgroupSetup(name, current.cgroup, host);
  const newSetup = planCgroupSetup(name, next.cgroup, host);
  const oldWrites = new Map(oldSetup.actions.flatMap((a) => (a.op === 'write' ? [[a.path, a.value] as const] : [])));
  const newWrites = newSetup.actions.flatMap((a) => (a.op === 'write' ? [a] : []));
  const problems = refused.map((c) => formatChange(c));
  if (newSetup.join.join() !== oldSetup.join.join()) problems.push(`cgroup hierarchies: ${oldSetup.join.join(', ')} → ${newSetup.join.join(', ')} (a running process cannot be given a new one)`);
  for (const [file] of oldWrites) if (!newWrites.some((w) => w.path === file)) problems.push(`${path.basename(file)}: the limit would be removed`);
  const oldRlimits = new Map(current.rlimits.map((r) => [r.resource, r] as const));
  for (const r of current.rlimits) if (!next.rlimits.some((n) => n.resource === r.resource)) problems.push(`rlimit ${r.resource}: would be removed`);
  if (problems.length > 0) {
    throw new HacoError('E_RELOAD_REFUSED', `these changes cannot be applied to the running container "${name}":\n    ${problems.join('\n    ')}`, {
      hint: `restart it for them: haco kill ${name} && haco start -d ${s.recorded.meta['source'] ?? 'FILE'}`,
      exitCode: EXIT.state,
    });
  }
  for (const w of newWrites) {
    const before = oldWrites.get(w.path);
    if (before !== w.value) steps.push({ what: `${path.basename(w.path)}: ${before ?? '(unset)'} → ${w.value}`, action: { kind: 'cgroup-write', path: w.path, value: w.value } });
  }
  for (const r of next.rlimits) {
    const before: RlimitEntry | undefined = oldRlimits.get(r.resource);
    if (before && before.soft === r.soft && before.hard === r.hard) continue;
    const shown = (e: RlimitEntry | undefined) => (e ? `${limit(e.soft)}:${limit(e.hard)}` : '(unset)');
    steps.push({
      what: `rlimit ${r.resource}: ${shown(before)} → ${shown(r)}`,
      action: { kind: 'prlimit', argv: ['prlimit', `--${r.resource.toLowerCase()}=${limit(r.soft)}:${limit(r.hard)}`] },
    });
  }
  return { name, pid: s.recorded.pid, stateDir: s.dir, steps, changes, next };
}

/**
 * Writes the new plan next to the state, so the next reload and attach compare with what now runs, and
 * STATE/reload (its plan_hash and when), so the state does not keep the hash of the plan it started with.
 * The supervisor owns STATE/state; a separate file avoids two writers racing on it.
 */
export function saveReloadedPlan(plan: ReloadPlan, now = Date.now()): void {
  const json = JSON.stringify(plan.next);
  writeFileAtomic(path.join(plan.stateDir, 'plan.json'), json);
  writeFileAtomic(path.join(plan.stateDir, 'reload'), `plan_hash=${fingerprint(json)}\nreloaded=${Math.floor(now / 1000)}\n`);
}

/** Applies the steps: cgroup files directly, rlimits with prlimit(1) on every process of the container. */
export function applyReload(plan: ReloadPlan, pids: number[], run: (argv: string[]) => { status: number | null; stderr: string }): void {
  // rlimits first: they are the ones the kernel may refuse (raising a hard limit needs CAP_SYS_RESOURCE).
  const ordered = [...plan.steps].sort((a, b) => Number(a.action.kind === 'cgroup-write') - Number(b.action.kind === 'cgroup-write'));
  for (const step of ordered) {
    if (step.action.kind === 'cgroup-write') {
      try {
        fs.writeFileSync(step.action.path, step.action.value);
      } catch (error) {
        throw new HacoError('E_RELOAD_CGROUP', `reload ${plan.name}: writing ${step.action.value} to ${step.action.path} failed: ${(error as Error).message}`, {
          hint: 'the kernel refused the value (e.g. a memory limit below current usage)',
        });
      }
      continue;
    }
    for (const pid of pids) {
      const r = run([...step.action.argv, '--pid', String(pid)]);
      // A process that exited meanwhile is not an error; the init must take the limit.
      if (r.status !== 0 && (pid === plan.pid || fs.existsSync(`/proc/${pid}`))) {
        throw new HacoError('E_RELOAD_RLIMIT', `reload ${plan.name}: ${step.action.argv.join(' ')} --pid ${pid} failed: ${r.stderr.trim()}`, {
          hint: /not permitted/i.test(r.stderr) ? 'raising a hard limit needs CAP_SYS_RESOURCE, which this haco process lacks; raise the soft limit up to the hard one, or restart the container' : undefined,
        });
      }
    }
  }
}
