import { HostError } from '../errors';

/** Root is needed to create device nodes, chown files to uid 0 and mount. */
export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new HostError('E_NOT_ROOT', `${what} must run as root`, `sudo haco ${what}`);
  }
}
