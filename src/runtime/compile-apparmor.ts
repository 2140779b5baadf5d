import { HostError } from '../errors';
import type { ContainerPlan } from '../plan/types';
import { apparmorCacheDir, defaultProfilePath } from '../apparmor/profile-file';
import type { HostFacts } from './host-facts';
import type { SpecWriter } from './spec-writer';

/** Debian's apparmor_parser (package apparmor); hooks are run with execv, so the path is absolute. */
export const APPARMOR_PARSER = '/usr/sbin/apparmor_parser';

/** What happens to the container's AppArmor profile on this host. */
export type AppArmorDecision =
  | { kind: 'none' }
  | { kind: 'skipped'; profile: string; reason: string; notice: string }
  | { kind: 'apply'; profile: string; load?: string[] };

/**
 * The one home of the AppArmor rule: the default profile is loaded and applied where the kernel has
 * AppArmor, not applied where it has not (never silently: a row of plan and explain, the spec and doctor say so,
 * without a warning on every start); a
 * profile the definition names explicitly is an error on such a host, since dropping it would run the
 * container less confined than its author asked for.
 */
export function decideAppArmor(c: ContainerPlan, host: HostFacts): AppArmorDecision {
  const a = c.apparmor;
  if (!a) return { kind: 'none' };
  if (!host.kernel.apparmor) {
    if (a.builtin === 'default') {
      return skipped(a.profile, 'this kernel has no AppArmor');
    }
    throw new HostError(
      'E_APPARMOR_UNAVAILABLE',
      `container "${c.name}" asks for the AppArmor profile "${a.profile}", but AppArmor is not enabled in this kernel`,
      'use a kernel with AppArmor enabled (`haco doctor` shows it), or remove .apparmor() to get the default (not applied on such hosts, which plan and explain show)',
    );
  }
  if (a.builtin === 'default' && host.rootless) {
    // apparmor_parser needs CAP_MAC_ADMIN in the host's user namespace: an ordinary user cannot load it.
    return skipped(a.profile, 'loading a profile needs root (rootless start)');
  }
  if (a.builtin === 'default') {
    // -r replaces a loaded profile of that name; -W/-L keep the compiled policy so that a later start loads
    // it without compiling (the parser compares the cache with the file's time stamp).
    return { kind: 'apply', profile: a.profile, load: [APPARMOR_PARSER, '-r', '-W', '-L', apparmorCacheDir(), defaultProfilePath()] };
  }
  return { kind: 'apply', profile: a.profile };
}

function skipped(profile: string, reason: string): AppArmorDecision {
  return { kind: 'skipped', profile, reason, notice: `AppArmor: ${profile}, not applied: ${reason} (the container is still fenced by namespaces, capabilities, seccomp and the device cgroup)` };
}

/** The prepare-phase load (haco's own profile only). */
export function emitAppArmorLoad(w: SpecWriter, d: AppArmorDecision): void {
  if (d.kind === 'skipped') w.comment(d.notice);
  if (d.kind !== 'apply' || !d.load) return;
  w.comment(`load haco's default AppArmor profile ${d.profile} (the file is written by haco before the start)`);
  w.step('hook', ...d.load);
}

/** The enter-phase step: the profile the command is confined by from its exec on. */
export function emitAppArmorExec(w: SpecWriter, d: AppArmorDecision): void {
  if (d.kind === 'apply') w.step('apparmor-exec', d.profile);
}
