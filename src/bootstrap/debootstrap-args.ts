import type { DebootstrapBootstrap } from '../plan/types';
import { findMirror, readAptSources } from './apt-mirror';
import { HostError } from './errors';

/** The mirror to use: the definition's, else the host's apt mirror (where this machine can reach). */
export function resolveMirror(plan: DebootstrapBootstrap, aptDir = '/etc/apt'): string {
  if (plan.mirror) return plan.mirror;
  const found = findMirror(plan.suite, readAptSources(aptDir));
  if (!found) {
    throw new HostError(
      'E_NO_MIRROR',
      `no Debian/Ubuntu mirror found in ${aptDir}/sources.list or ${aptDir}/sources.list.d/ for suite "${plan.suite}"`,
      "name one: b.debootstrap({ suite, mirror: 'http://deb.debian.org/debian' })",
    );
  }
  return found;
}

/** debootstrap's command line for the plan (target and mirror last, as debootstrap(8) wants). */
export function debootstrapArgs(plan: DebootstrapBootstrap, target: string, mirror: string): string[] {
  const args: string[] = [];
  if (plan.variant !== 'default') args.push(`--variant=${plan.variant}`);
  if (plan.components.length > 0) args.push(`--components=${plan.components.join(',')}`);
  if (plan.include.length > 0) args.push(`--include=${plan.include.join(',')}`);
  if (plan.arch) args.push(`--arch=${plan.arch}`);
  args.push(plan.suite, target, mirror);
  return args;
}
