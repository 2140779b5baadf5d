import * as posix from 'node:path/posix';
import type { CgroupSetup } from '../cgroup/types';
import { HacoError } from '../errors';
import { DEFAULT_HOOK_TIMEOUT_MS } from '../plan/defaults';
import type { ContainerPlan, EventHook, HookPoint } from '../plan/types';
import type { SpecWriter } from './spec-writer';

/** The commands of a point, in the order the definition gave them. */
export function hooksAt(c: ContainerPlan, point: HookPoint): string[][] {
  return c.hooks.filter((h) => h.point === point).map((h) => h.command);
}

/** `hook-at POINT ARGV...` for every hook of a point that the launcher runs in order (phases 1–3). */
export function emitHooksAt(w: SpecWriter, c: ContainerPlan, point: HookPoint): void {
  for (const argv of hooksAt(c, point)) w.step('hook-at', point, ...argv);
}

/**
 * cgroup v2 has no pressure levels: each level is a PSI trigger on memory.pressure (Documentation/accounting/
 * psi.rst: "some|full STALL_US WINDOW_US", a window of at least 500 ms for an unprivileged poller, 1 s here).
 */
const PSI_TRIGGERS: Record<NonNullable<EventHook['level']>, string> = {
  low: 'some 150000 1000000',
  medium: 'some 500000 1000000',
  critical: 'full 500000 1000000',
};

/** The memory cgroup directory the container's events come from, or an error naming the fix. */
function memoryDir(c: ContainerPlan, cgroup: CgroupSetup): string {
  if (!cgroup.oomEvents) {
    throw new HacoError('E_EVENTS_NO_MEMORY_CGROUP', `container "${c.name}" has onOom/onMemoryPressure hooks but no memory cgroup to watch`, {
      hint: 'give it a memory limit, e.g. .memory({ max: \'256M\' }), so haco makes a memory cgroup for it',
    });
  }
  return posix.dirname(cgroup.oomEvents);
}

/**
 * Signals the supervisor handles itself (`.onSignal`): they are taken out of the forwarded list, so the
 * container never sees them from the supervisor.
 */
export function handledSignals(c: ContainerPlan): string[] {
  return (c.supervision?.signals ?? []).map((s) => s.signal);
}

/**
 * The supervisor's metadata (docs/lifecycle.md, "Hooks the supervisor runs"): the hook time limit, the
 * points it runs itself (afterStart, beforeCleanup, systemFailure), and what its event process watches while
 * the container runs: timers, readiness, cgroup events, signals.
 */
export function emitSupervision(w: SpecWriter, c: ContainerPlan, cgroup: CgroupSetup): void {
  const sup = c.supervision;
  const anyHook = c.hooks.length > 0 || (sup !== undefined && (sup.timers.length + sup.events.length + sup.signals.length > 0 || sup.readiness !== undefined));
  if (!anyHook) return;
  w.comment('every hook: its own process group, only stdio open, HACO_POINT set; SIGKILL to the group past the time limit');
  w.step('hook-timeout', sup?.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS);
  for (const point of ['afterStart', 'beforeCleanup', 'systemFailure'] as const) {
    for (const argv of hooksAt(c, point)) w.step('point-cmd', point, ...argv);
  }
  if (!sup) return;
  for (const t of sup.timers) w.step('timer', t.intervalMs, t.count, ...t.command);
  const r = sup.readiness;
  if (r?.kind === 'port' && r.port !== undefined) {
    w.comment(`ready once TCP port ${r.port} listens in the container's network namespace (/proc/PID/net/tcp, tcp6)`);
    w.step('ready-port', r.port, r.timeoutMs, r.intervalMs);
  } else if (r?.kind === 'command' && r.command) {
    w.step('ready-cmd', r.timeoutMs, r.intervalMs, ...r.command);
  }
  if (sup.events.length > 0) {
    const dir = memoryDir(c, cgroup);
    const version = cgroup.version;
    for (const e of sup.events) {
      if (e.event === 'oom') w.step('on-oom', version, dir, ...e.command);
      else {
        const level = e.level ?? 'low';
        w.step('on-pressure', version, dir, version === 'v2' ? PSI_TRIGGERS[level] : level, ...e.command);
      }
    }
  }
  for (const s of sup.signals) w.step('on-signal', s.signal, ...s.command);
}
