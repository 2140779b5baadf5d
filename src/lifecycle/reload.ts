import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import { orderCgroupRewrites, type CgroupRewrite } from '../cgroup/rewrite-order';
import { planCgroupSetup } from '../cgroup/setup';
import type { CgroupHost } from '../cgroup/types';
import { diffContainers } from '../diff/diff-plans';
import { formatChange } from '../diff/render';
import type { Change } from '../diff/values';
import { EXIT, HacoError } from '../errors';
import { fingerprint } from '../plan/fingerprint';
import type { ContainerPlan, RlimitEntry } from '../plan/types';
import { runHostSpec } from '../runtime/host-spec';
import { SpecWriter } from '../runtime/spec-writer';
import { readSavedPlan, requireRunning } from '../state';

export interface ReloadStep {
  what: string;
  /** A cgroup file to rewrite, or an rlimit to set on every process of the container. */
  action: ({ kind: 'cgroup-write' } & CgroupRewrite) | { kind: 'rlimit'; entry: RlimitEntry };
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

/** The value the kernel shows now (reading only; the launcher writes), when the file can be read. */
function inForce(file: string): { inForce?: string } {
  try {
    return { inForce: fs.readFileSync(file, 'utf8').trim() };
  } catch {
    return {};
  }
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
  // rlimits first: they are the ones the kernel may refuse (raising a hard limit needs CAP_SYS_RESOURCE),
  // and then no cgroup value has changed yet.
  for (const r of next.rlimits) {
    const before: RlimitEntry | undefined = oldRlimits.get(r.resource);
    if (before && before.soft === r.soft && before.hard === r.hard) continue;
    const shown = (e: RlimitEntry | undefined) => (e ? `${limit(e.soft)}:${limit(e.hard)}` : '(unset)');
    steps.push({ what: `rlimit ${r.resource}: ${shown(before)} → ${shown(r)}`, action: { kind: 'rlimit', entry: r } });
  }
  const rewrites = newWrites.flatMap((w) => {
    const before = oldWrites.get(w.path);
    return before === w.value ? [] : [{ path: w.path, before, value: w.value, ...inForce(w.path) }];
  });
  for (const w of orderCgroupRewrites(rewrites)) {
    steps.push({ what: `${path.basename(w.path)}: ${w.before ?? '(unset)'} → ${w.value}`, action: { kind: 'cgroup-write', ...w } });
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

/**
 * The reload as a host-only spec for the launcher (docs/launch-spec.md), in the plan's order: each rlimit
 * on every process of the container (`pids`: the init must take it, the others may have exited since they
 * were listed), then the cgroup files. Hints say what a refusal usually means.
 */
export function compileReloadSpec(plan: ReloadPlan, pids: readonly number[]): SpecWriter {
  const w = new SpecWriter();
  w.comment(`haco reload ${plan.name}: a host-only spec (docs/launch-spec.md). The launcher runs it on the host, in order,\nand stops at the first refusal: rlimits first, then the cgroup files in an order the kernel accepts one at a time.`);
  w.step('name', plan.name).step('host-only');
  w.step('hint', 'prlimit', 'EPERM', 'raising a hard limit needs CAP_SYS_RESOURCE (some sandboxes take it even from root: see CapEff in /proc/self/status), and NOFILE can never exceed /proc/sys/fs/nr_open: raise the soft limit up to the hard one, or choose a lower value');
  w.step('hint', 'prlimit', 'EINVAL', 'the soft limit is above the hard one, or the value is above the kernel\'s ceiling (NOFILE: /proc/sys/fs/nr_open)');
  w.step('hint', 'prlimit', 'ESRCH', `the container's init (pid ${plan.pid}) is gone: see \`haco ps\``);
  w.step('hint', 'cgroup-write', 'EBUSY', 'the kernel could not bring the usage under the new limit (memory in use above it): free some in the container, or choose a higher limit');
  w.step('hint', 'cgroup-write', 'EINVAL', 'the kernel rejected the value: memsw below the memory limit, cpus/mems outside the parent\'s, a quota under 1000µs');
  w.step('hint', 'cgroup-write', 'ENOENT', 'the cgroup file is gone: has the container exited? (`haco ps`)');
  const others = pids.filter((p) => p !== plan.pid);
  for (const step of plan.steps) {
    if (step.action.kind === 'rlimit') {
      const { resource, soft, hard } = step.action.entry;
      w.step('prlimit', plan.pid, resource, soft, hard);
      for (const pid of others) w.step('prlimit', pid, resource, soft, hard, 'optional');
    } else {
      w.step('cgroup-write', step.action.path, step.action.value);
    }
  }
  return w;
}

/** Applies the steps through the launcher; a refusal is a HacoError with the launcher's message and hint. */
export function applyReload(plan: ReloadPlan, pids: readonly number[], options: { trace: boolean; launcher?: string }): void {
  runHostSpec(compileReloadSpec(plan, pids), {
    trace: options.trace,
    what: `reload ${plan.name}`,
    codes: { prlimit: 'E_RELOAD_RLIMIT', 'cgroup-write': 'E_RELOAD_CGROUP', '*': 'E_RELOAD' },
    ...(options.launcher ? { launcher: options.launcher } : {}),
  });
}
