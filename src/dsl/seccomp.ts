import type { SeccompDraft } from '../plan/draft';
import { ERRNO_NUMBERS } from '../plan/names';
import type { SeccompAction, SeccompArg, SeccompRule } from '../plan/types';
import { checkEach, checkOptions, guardMethods, optionKeys } from './options';

export interface SeccompRuleOptions {
  /** System call names, e.g. `['mount', 'umount2']`. */
  syscalls: string[];
  /** What the filter does on a match: `'allow'`, `'log'`, `'trap'`, `'kill_thread'`, `'kill_process'` or `{ errno: 'EPERM' }`. */
  action: SeccompActionInput;
  /** Conditions on the call's arguments; the rule matches only when all hold. */
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

export type { SeccompDraft };

/**
 * A seccomp(2) filter, built with libseccomp by the launcher as the very last step before exec. Every
 * container has one: haco's default profile (an allow list, EPERM for the rest, see docs/security.md).
 * The callback of `.seccomp(s => …)` starts from that profile; its rules take over the syscalls they
 * name. `s.base('none')` starts from an empty filter instead, and `.seccomp(false)` turns filtering off.
 * See it: `grep Seccomp /proc/self/status` inside shows `2` (filter mode), and a blocked call fails
 * with the chosen errno (`hostname x` → "Operation not permitted" with `block(['sethostname'])`).
 * Immutable.
 */
export class SeccompBuilder {
  readonly #draft: SeccompDraft;
  readonly #problems: string[];

  /** @internal */
  constructor(draft: SeccompDraft = { base: 'default', rules: [] }, problems: string[] = []) {
    this.#draft = draft;
    this.#problems = problems;
    return guardMethods(this, 'the seccomp builder');
  }

  /**
   * What to start from: `default` (haco's profile, the default) or `none` (an empty filter whose default
   * action is allow: a deny list of your own). Rules added before are kept.
   */
  base(base: 'default' | 'none'): SeccompBuilder {
    return new SeccompBuilder({ ...this.#draft, base }, this.#problems);
  }

  /** What happens to a syscall no rule matches (default: EPERM on haco's profile, allow with `base('none')`). */
  defaultAction(action: SeccompActionInput): SeccompBuilder {
    const [resolved, problem] = resolveAction(action);
    return new SeccompBuilder({ ...this.#draft, action: resolved }, this.#with(problem));
  }

  /** Shorthand for a rule that makes `syscalls` fail with `errno` (default EPERM). */
  block(syscalls: string[], errno: keyof typeof ERRNO_NUMBERS | number = 'EPERM'): SeccompBuilder {
    return this.rule({ syscalls, action: { errno } });
  }

  /** Shorthand for a rule that allows `syscalls` (e.g. one haco's profile refuses, or for your own allow list). */
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
    return new SeccompBuilder({ ...this.#draft, rules: [...this.#draft.rules, entry] }, this.#with(problem));
  }

  /** @internal */
  toDraft(): { draft: SeccompDraft; problems: string[] } {
    return { draft: structuredClone(this.#draft), problems: [...this.#problems] };
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
