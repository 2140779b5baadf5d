import { CAPABILITY_NAMES } from '../plan/names';
import type { CapabilityName } from '../plan/types';

/**
 * Capability numbers from linux/capability.h, derived from the one ordered table of names in
 * src/plan/names.ts (index = number). The launcher takes numbers, not names, so it needs no table of
 * its own and a name unknown to an older libc/kernel header can still be passed through.
 */
export const CAPABILITY_NUMBERS: Readonly<Record<CapabilityName, number>> = Object.fromEntries(
  CAPABILITY_NAMES.map((name, number) => [name, number]),
) as Record<CapabilityName, number>;

/** Sorted, de-duplicated numbers for one capability set. */
export function capabilityNumbers(names: readonly CapabilityName[]): number[] {
  return [...new Set(names.map((n) => CAPABILITY_NUMBERS[n]))].sort((a, b) => a - b);
}
