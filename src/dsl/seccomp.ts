import { ERRNO_NUMBERS } from '../plan/names';
import type { SeccompAction, SeccompArg, SeccompPlan, SeccompRule } from '../plan/types';
import { checkEach, checkOptions, guardMethods, optionKeys } from './options';

export interface SeccompRuleOptions {
  syscalls: string[];
  action: SeccompActionInput;
  args?: SeccompArg[];
}
const RULE_OPTIONS = optionKeys<SeccompRuleOptions>()({ syscalls: true, action: true, args: true });
const ARG_OPTIONS = optionKeys<SeccompArg>()({ index: true, op: true, value: true, valueTwo: true });
const ERRNO_ACTION = optionKeys<{ errno: number }>()({ errno: true });

/** An action: "allow", "log", "trap", "kill_thread", "kill_process", or an errno to return. */
export type SeccompActionInput =
  | 'allow'
  | 'log'
  | 'trap'
  | 'kill_thread'
  | 'kill_process'
  | { errno: keyof typeof ERRNO_NUMBERS | number };

/**
 * A seccomp(2) filter, built with libseccomp by the launcher as the very last step before exec.
 * See it: `grep Seccomp /proc/self/status` inside shows `2` (filter mode), and a blocked call fails
 * with the chosen errno (`hostname x` → "Operation not permitted" with `block(['sethostname'])`).
 * Immutable.
 */
export class SeccompBuilder {
  readonly #plan: SeccompPlan;
  readonly #problems: string[];

  /** @internal */
  constructor(plan: SeccompPlan = { action: 'allow', rules: [] }, problems: string[] = []) {
    this.#plan = plan;
    this.#problems = problems;
    return guardMethods(this, 'the seccomp builder');
  }

  /** What happens to a syscall no rule matches (default: allow, i.e. a deny list). */
  defaultAction(action: SeccompActionInput): SeccompBuilder {
    const [resolved, problem] = resolveAction(action);
    return new SeccompBuilder({ ...this.#plan, ...resolved }, this.#with(problem));
  }

  /** Shorthand for a rule that makes `syscalls` fail with `errno` (default EPERM). */
  block(syscalls: string[], errno: keyof typeof ERRNO_NUMBERS | number = 'EPERM'): SeccompBuilder {
    return this.rule({ syscalls, action: { errno } });
  }

  /** Shorthand for a rule that allows `syscalls` (for an allow list with `defaultAction({errno})`). */
  allow(syscalls: string[]): SeccompBuilder {
    return this.rule({ syscalls, action: 'allow' });
  }

  /**
   * A rule with optional argument filters, e.g. only `personality(0xffffffff)`:
   * `{ syscalls: ['personality'], action: 'allow', args: [{ index: 0, op: 'eq', value: 0xffffffff }] }`.
   */
  rule(rule: SeccompRuleOptions): SeccompBuilder {
    checkOptions('.rule()', rule, RULE_OPTIONS);
    checkEach('.rule() args', rule.args, ARG_OPTIONS);
    const [resolved, problem] = resolveAction(rule.action);
    const entry: SeccompRule = { syscalls: [...rule.syscalls], ...resolved, args: rule.args ? [...rule.args] : [] };
    return new SeccompBuilder({ ...this.#plan, rules: [...this.#plan.rules, entry] }, this.#with(problem));
  }

  /** @internal */
  toPlan(): { plan: SeccompPlan; problems: string[] } {
    return { plan: structuredClone(this.#plan), problems: [...this.#problems] };
  }

  #with(problem: string | undefined): string[] {
    return problem ? [...this.#problems, problem] : this.#problems;
  }
}

function resolveAction(action: SeccompActionInput): [SeccompAction, string | undefined] {
  checkOptions('seccomp action', action, ERRNO_ACTION);
  if (typeof action === 'string') return [{ action }, undefined];
  if (typeof action.errno === 'number') return [{ action: 'errno', errno: action.errno }, undefined];
  const errno = ERRNO_NUMBERS[String(action.errno).toUpperCase()];
  if (errno === undefined) {
    return [{ action: 'errno', errno: 1 }, `unknown errno "${String(action.errno)}" (known: ${Object.keys(ERRNO_NUMBERS).join(', ')}, or a number)`];
  }
  return [{ action: 'errno', errno }, undefined];
}
