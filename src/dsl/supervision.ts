import { DEFAULT_HOOK_TIMEOUT_MS, DEFAULT_READY_INTERVAL_MS, DEFAULT_READY_TIMEOUT_MS } from '../plan/defaults';
import type { ContainerDraft } from '../plan/draft';
import type { ReadinessPlan, SupervisionPlan } from '../plan/types';
import { optionKeys } from './options';

/** A command as the DSL takes it: a string runs with `/bin/sh -c`, an array is the argv. */
export type Command = string | string[];

export function argvOf(command: Command): string[] {
  return typeof command === 'string' ? ['/bin/sh', '-c', command] : [...command];
}

export interface TimerOptions {
  /** Stop after this many runs (per container run); default: until the container exits. */
  count?: number;
}
export const TIMER_OPTIONS = optionKeys<TimerOptions>()({ count: true });

/** What `.readiness()` probes: a TCP port listening in the container's network namespace, or a host command. */
export type ReadinessProbe = { port: number } | { command: Command };
export const READINESS_PROBE = optionKeys<{ port: number; command: Command }>()({ port: true, command: true });

export interface ReadinessOptions {
  /** Give up after this many ms (default 30000): `haco ps` shows "not ready". */
  timeoutMs?: number;
  /** Probe every this many ms (default 200). */
  intervalMs?: number;
}
export const READINESS_OPTIONS = optionKeys<ReadinessOptions>()({ timeoutMs: true, intervalMs: true });

/** The draft's supervision block, made on first use. */
export function supervisionOf(d: ContainerDraft): SupervisionPlan {
  d.plan.supervision ??= { hookTimeoutMs: DEFAULT_HOOK_TIMEOUT_MS, timers: [], events: [], signals: [] };
  return d.plan.supervision;
}

export function readinessPlan(probe: ReadinessProbe, options: ReadinessOptions): ReadinessPlan {
  const timing = { timeoutMs: options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS, intervalMs: options.intervalMs ?? DEFAULT_READY_INTERVAL_MS };
  if ('port' in probe) return { kind: 'port', port: probe.port, ...timing };
  return { kind: 'command', command: argvOf(probe.command), ...timing };
}
