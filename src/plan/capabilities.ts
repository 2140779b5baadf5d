import type { CapabilityDraft } from './draft';
import { DEFAULT_CAPABILITIES } from './defaults';
import { CAPABILITY_NAMES, normalizeCapability } from './names';
import { closest } from './suggest';
import type { CapabilitiesPlan, CapabilityName } from './types';

export interface CapabilityProblem {
  message: string;
  hint?: string;
}

/**
 * Turn "default minus sys_admin" into the five explicit sets the launcher applies.
 * Root keeps its set as bounding = permitted = effective (inheritable = ambient = what is listed as
 * ambient). A non-root init only keeps what is listed as ambient (the kernel clears the other sets on
 * setuid), and bounding still limits everything.
 */
export function resolveCapabilities(
  draft: CapabilityDraft,
  uid: number,
): { plan: CapabilitiesPlan; problems: CapabilityProblem[] } {
  const problems: CapabilityProblem[] = [];
  const check = (names: string[]): CapabilityName[] =>
    names.flatMap((raw) => {
      const name = normalizeCapability(raw);
      if ((CAPABILITY_NAMES as readonly string[]).includes(name)) return [name as CapabilityName];
      const guess = closest(name, CAPABILITY_NAMES);
      problems.push({
        message: `unknown capability "${raw}"`,
        hint: guess ? `did you mean "${guess}"?` : 'see capabilities(7) for the names (without the CAP_ prefix)',
      });
      return [];
    });
  const base: readonly CapabilityName[] =
    draft.base === 'all' ? CAPABILITY_NAMES : draft.base === 'none' ? [] : DEFAULT_CAPABILITIES;
  const add = check(draft.add);
  const drop = new Set(check(draft.drop));
  const set = CAPABILITY_NAMES.filter((c) => (base.includes(c) || add.includes(c)) && !drop.has(c));
  const ambientWanted = new Set(check(draft.ambient));
  for (const name of ambientWanted) {
    if (!set.includes(name)) problems.push({ message: `ambient capability "${name}" is not in the container's set`, hint: `add it: .addCaps('${name}')` });
  }
  const ambient = set.filter((c) => ambientWanted.has(c));
  if (uid === 0) {
    // Root keeps its set anyway; ambient (and inheritable, which the kernel requires for it) only when
    // asked for, as an OCI config may: they then survive an exec of a program that changes uid.
    return { plan: { bounding: set, effective: set, permitted: set, inheritable: ambient, ambient }, problems };
  }
  return {
    plan: { bounding: set, effective: ambient, permitted: ambient, inheritable: ambient, ambient },
    problems,
  };
}
