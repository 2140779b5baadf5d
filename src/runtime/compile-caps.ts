import type { CapabilitiesPlan } from '../plan/types';
import { capabilityNumbers } from './capabilities';
import { listField } from './spec-format';
import type { SpecWriter } from './spec-writer';

/** The five sets as numbers, in the order of the `caps` step: bounding effective permitted inheritable ambient. */
export function emitCaps(w: SpecWriter, caps: CapabilitiesPlan): void {
  w.step(
    'caps',
    listField(capabilityNumbers(caps.bounding)),
    listField(capabilityNumbers(caps.effective)),
    listField(capabilityNumbers(caps.permitted)),
    listField(capabilityNumbers(caps.inheritable)),
    listField(capabilityNumbers(caps.ambient)),
  );
}
