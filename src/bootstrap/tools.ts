import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostError } from '../errors';

/** Absolute path of `name` on PATH (plus the sbin dirs a non-login root shell may lack), or undefined. */
export function findTool(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(':').concat(['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Like findTool, but a missing tool is a HostError that names the Debian package to install. */
export function requireTool(name: string, aptPackage: string): string {
  const found = findTool(name);
  if (!found) throw new HostError('E_NO_TOOL', `${name} is not installed`, `apt-get install ${aptPackage}`);
  return found;
}

/** Root is needed to create device nodes, chown files to uid 0 and mount. */
export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new HostError('E_NOT_ROOT', `${what} must run as root`, `sudo haco ${what}`);
  }
}
