import { CAPABILITY_NAMES } from '../plan/names';

/** The five capability sets of /proc/PID/status, by the names capabilities(7) uses. */
export const CAPABILITY_SETS = ['effective', 'permitted', 'inheritable', 'bounding', 'ambient'] as const;
export type CapabilitySet = (typeof CAPABILITY_SETS)[number];

const STATUS_FIELD: Record<CapabilitySet, string> = {
  effective: 'CapEff',
  permitted: 'CapPrm',
  inheritable: 'CapInh',
  bounding: 'CapBnd',
  ambient: 'CapAmb',
};

/** One set, raw and decoded. */
export interface DecodedCapabilities {
  /** As the kernel prints it: 16 hex digits. */
  hex: string;
  /** Lower-case names without `cap_` (as in definitions), in kernel order; unknown bits as `cap_N`. */
  names: string[];
}

/** The bits of a hex mask as capability names. */
export function decodeCapabilityMask(hex: string): string[] {
  const mask = BigInt(`0x${hex || '0'}`);
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((mask >> BigInt(bit)) & 1n) names.push(CAPABILITY_NAMES[bit] ?? `cap_${bit}`);
  }
  return names;
}

/** The capability sets in the text of /proc/PID/status; a set the kernel does not print (CapAmb before 4.3) is absent. */
export function parseCapabilities(status: string): Partial<Record<CapabilitySet, DecodedCapabilities>> {
  const out: Partial<Record<CapabilitySet, DecodedCapabilities>> = {};
  for (const set of CAPABILITY_SETS) {
    const m = new RegExp(`^${STATUS_FIELD[set]}:\\s*([0-9a-fA-F]+)$`, 'm').exec(status);
    if (m) out[set] = { hex: m[1]!, names: decodeCapabilityMask(m[1]!) };
  }
  return out;
}
