import * as path from 'node:path';

/** Default home of everything haco creates on the host. */
export const DEFAULT_STATE_ROOT = '/var/lib/haco';

/**
 * Where haco keeps host-side state (provision records, the lxc template cache). `HACO_STATE_ROOT`
 * moves it, which is how tests work in temporary directories without touching /var/lib/haco.
 */
export function stateRoot(): string {
  const fromEnv = process.env['HACO_STATE_ROOT'];
  return fromEnv && fromEnv.trim() !== '' ? path.resolve(fromEnv) : DEFAULT_STATE_ROOT;
}

/** Per-container state dir: a sibling of the default rootfs, never inside any rootfs. */
export function containerStateDir(name: string): string {
  return path.join(stateRoot(), name);
}
