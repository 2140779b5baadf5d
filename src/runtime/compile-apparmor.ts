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
  | { kind: 'skipped'; profile: string; notice: string }
  | { kind: 'apply'; profile: string; load?: string[] };

/**
 * The one home of the AppArmor rule: the default profile is loaded and applied where the kernel has
 * AppArmor, skipped with a notice where it has not (never silently: plan, explain and doctor say so); a
 * profile the definition names explicitly is an error on such a host, since dropping it would run the
 * container less confined than its author asked for.
 */
export function decideAppArmor(c: ContainerPlan, host: HostFacts): AppArmorDecision {
  const a = c.apparmor;
  if (!a) return { kind: 'none' };
  if (!host.kernel.apparmor) {
    if (a.builtin === 'default') {
      return {
        kind: 'skipped',
        profile: a.profile,
        notice: `AppArmor is not enabled in this kernel, so haco's default profile ${a.profile} is not applied (the container is still fenced by namespaces, capabilities, seccomp and the device cgroup)`,
      };
    }
    throw new HostError(
      'E_APPARMOR_UNAVAILABLE',
      `container "${c.name}" asks for the AppArmor profile "${a.profile}", but AppArmor is not enabled in this kernel`,
      'use a kernel with AppArmor enabled (`haco doctor` shows it), or remove .apparmor() to get the default (skipped with a notice on such hosts)',
    );
  }
  if (a.builtin === 'default') {
    // -r replaces a loaded profile of that name; -W/-L keep the compiled policy so that a later start loads
    // it without compiling (the parser compares the cache with the file's time stamp).
    return { kind: 'apply', profile: a.profile, load: [APPARMOR_PARSER, '-r', '-W', '-L', apparmorCacheDir(), defaultProfilePath()] };
  }
  return { kind: 'apply', profile: a.profile };
}

/** The prepare-phase load (haco's own profile only). */
export function emitAppArmorLoad(w: SpecWriter, d: AppArmorDecision): void {
  if (d.kind === 'skipped') w.comment(`note: ${d.notice}`);
  if (d.kind !== 'apply' || !d.load) return;
  w.comment(`load haco's default AppArmor profile ${d.profile} (the file is written by haco before the start)`);
  w.step('hook', ...d.load);
}

/** The enter-phase step: the profile the command is confined by from its exec on. */
export function emitAppArmorExec(w: SpecWriter, d: AppArmorDecision): void {
  if (d.kind === 'apply') w.step('apparmor-exec', d.profile);
}
