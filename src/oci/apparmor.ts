import type { ContainerPlan } from '../plan/types';

/**
 * `.apparmor()` ↔ config.json `process.apparmorProfile`, both directions in one place.
 *
 * haco's own profile (haco-default) is loaded by `haco start` itself; another runtime (runc) would have to
 * find it loaded, and fails the start where it is not ("write /proc/self/attr/exec: invalid argument").
 * So the export marks it with an annotation instead of the field, and says so where it matters: on a host
 * with AppArmor (there runc would run unconfined what haco confines). A profile the definition names is
 * written to the field: the host provides it to any runtime.
 */
export const APPARMOR_ANNOTATION = 'dev.haco.apparmor';

export function exportAppArmor(c: ContainerPlan, hostHasAppArmor: boolean, unmapped: Array<{ field: string; reason: string }>): { profile?: string; annotations: Record<string, string> } {
  const a = c.apparmor;
  if (!a) return { annotations: {} };
  if (a.builtin !== 'default') return { profile: a.profile, annotations: {} };
  if (hostHasAppArmor) {
    unmapped.push({
      field: 'apparmor',
      reason: `haco's own profile ${a.profile} is loaded by haco start, so it is not in process.apparmorProfile (another runtime would run unconfined); load it (apparmor_parser -r <cache>/apparmor/${a.profile}) and add the field`,
    });
  }
  return { annotations: { [APPARMOR_ANNOTATION]: 'default' } };
}

/**
 * The DSL call for a config's AppArmor field. No field means no profile (what runc does), unless the
 * config came from haco's export with its default profile (the annotation). A named profile must be loaded
 * on the host: on a kernel without AppArmor the start then fails with E_APPARMOR_UNAVAILABLE — the
 * runtime-spec's "cannot apply a property as specified → error, no container" — instead of running
 * unconfined.
 */
export function importAppArmor(profile: unknown, annotations: Record<string, string> | undefined): string | undefined {
  if (typeof profile === 'string' && profile !== '') return profile === 'unconfined' ? '.apparmor(false)' : `.apparmor(${JSON.stringify(profile)})`;
  return annotations?.[APPARMOR_ANNOTATION] === 'default' ? undefined : '.apparmor(false)';
}
