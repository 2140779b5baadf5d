import type { SeccompArg, SeccompAction } from '../plan/types';
import { SECCOMP_ACTIONS, SECCOMP_OPS, type RuntimeConfig } from './runtime-config';

type RuntimeSeccomp = NonNullable<NonNullable<RuntimeConfig['linux']>['seccomp']> & { architectures?: string[]; flags?: string[] };

/** The annotation `haco export oci` writes when the filter is haco's default profile without own rules. */
export const DEFAULT_PROFILE_ANNOTATION = 'dev.haco.seccomp';

const ACTION_OF: Record<string, SeccompAction['action']> = {
  ...Object.fromEntries(Object.entries(SECCOMP_ACTIONS).map(([haco, spec]) => [spec, haco])),
  SCMP_ACT_KILL_THREAD: 'kill_thread',
};
const OP_OF = Object.fromEntries(Object.entries(SECCOMP_OPS).map(([haco, spec]) => [spec, haco])) as Record<string, SeccompArg['op']>;

const q = (v: unknown): string => JSON.stringify(v);

function actionSource(action: string, errno: number | undefined): string | undefined {
  const a = ACTION_OF[action];
  if (a === undefined) return undefined;
  return a === 'errno' ? `{ errno: ${errno ?? 1} }` : q(a);
}

/**
 * linux.seccomp as a `.seccomp(...)` call: `base('none')`, the default action, one `.rule()` per entry.
 * Returns undefined (haco's default profile applies) for a filter haco exported from its default profile.
 * What has no DSL form is skipped and listed in NOTES: SCMP_ACT_TRACE/NOTIFY rules, unknown comparison
 * operators, `architectures` (haco builds the filter for the native one) and `flags`.
 */
export function seccompCall(seccomp: RuntimeSeccomp, annotations: Record<string, string> | undefined, notes: string[]): string | undefined {
  if (annotations?.[DEFAULT_PROFILE_ANNOTATION] === 'default') return undefined;
  const defaultAction = actionSource(seccomp.defaultAction, seccomp.defaultErrnoRet);
  const parts = ["s.base('none')"];
  if (defaultAction === undefined) notes.push(`seccomp defaultAction ${seccomp.defaultAction}: haco has no such action; allow is used`);
  else parts.push(`.defaultAction(${defaultAction})`);
  for (const rule of seccomp.syscalls ?? []) {
    const action = actionSource(rule.action, rule.errnoRet);
    const args = (rule.args ?? []).map((a) => ({ index: a.index, op: OP_OF[a.op], value: a.value, ...(a.valueTwo !== undefined ? { valueTwo: a.valueTwo } : {}) }));
    if (action === undefined || args.some((a) => a.op === undefined)) {
      notes.push(`seccomp rule ${rule.names.slice(0, 3).join(',')}${rule.names.length > 3 ? ',…' : ''}: ${action === undefined ? `action ${rule.action}` : 'a comparison operator'} has no DSL form`);
      continue;
    }
    parts.push(`.rule({ syscalls: ${q(rule.names)}, action: ${action}${args.length ? `, args: ${q(args)}` : ''} })`);
  }
  if (seccomp.architectures?.length) notes.push(`seccomp architectures ${seccomp.architectures.join(',')}: haco builds the filter for the native architecture`);
  if (seccomp.flags?.length) notes.push(`seccomp flags ${seccomp.flags.join(',')}: not settable`);
  return `.seccomp((s) => ${parts.join('')})`;
}
