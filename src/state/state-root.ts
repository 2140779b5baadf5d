import * as os from 'node:os';
import * as path from 'node:path';

/** Default home of everything haco creates on the host. */
export const DEFAULT_STATE_ROOT = '/var/lib/haco';

/**
 * Where haco keeps host-side state (rootfs trees, provision records, the lxc template cache): /var/lib/haco
 * for root; for any other user their own $XDG_DATA_HOME/haco (~/.local/share/haco), so one user never
 * sees or touches another's containers (docs/rootless.md). `HACO_STATE_ROOT` moves it, which is how tests
 * work in temporary directories without touching /var/lib/haco.
 */
export function stateRoot(): string {
  const fromEnv = process.env['HACO_STATE_ROOT'];
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return isRootless() ? userDataRoot() : DEFAULT_STATE_ROOT;
}

/** True when haco runs as an ordinary user: it works in a user namespace of its own (docs/rootless.md). */
export function isRootless(): boolean {
  return (process.geteuid?.() ?? 0) !== 0;
}

/** An ordinary user's haco data: $XDG_DATA_HOME/haco, else ~/.local/share/haco (XDG base directories). */
export function userDataRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_DATA_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.local', 'share'), 'haco');
}

/** Per-container state dir: a sibling of the default rootfs, never inside any rootfs. */
export function containerStateDir(name: string): string {
  return path.join(stateRoot(), name);
}
