import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostError } from '../errors';
import { TOOL_MANIFEST, toolEntry, type ToolEntry, type ToolName } from './tool-manifest';

/** Directories searched after PATH: a non-login root shell (or sudo's secure_path) may lack the sbin ones. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** Absolute path of program `name` on PATH (plus the sbin dirs), or undefined. */
function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(':').concat(EXTRA_DIRS)) {
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

/** Where a program of the manifest is on this host, or undefined. */
export function findTool(name: ToolName, env?: NodeJS.ProcessEnv): string | undefined {
  return findOnPath(name, env);
}

/** Like findTool, but a missing tool is a HostError that names the Debian package to install. */
export function requireTool(name: ToolName): string {
  const found = findTool(name);
  if (!found) throw new HostError('E_NO_TOOL', `${name} is not installed (needed for: ${toolEntry(name).feature})`, installHint([name]));
  return found;
}

/** `apt-get install P…` for the packages providing these tools (or what to do for those apt does not provide). */
export function installHint(names: readonly ToolName[]): string {
  const entries = names.map((n) => toolEntry(n));
  const packages = [...new Set(entries.map((e) => e.package).filter((p): p is string => p !== null))];
  const other = entries.filter((e) => e.package === null).map((e) => `${e.name}: ${e.feature}`);
  return [packages.length ? `apt-get install ${packages.join(' ')}` : '', ...other].filter(Boolean).join('; ');
}

export interface ToolStatus {
  entry: ToolEntry;
  /** Where it was found (for a header: the compiler's answer is not a path, so `found` only). */
  path: string | undefined;
  found: boolean;
}

/** Every manifest entry with where it is on this host. `hasHeader` answers for headers (it runs the compiler). */
export function toolStatuses(hasHeader: (header: string) => boolean, env?: NodeJS.ProcessEnv): ToolStatus[] {
  return (TOOL_MANIFEST as readonly ToolEntry[]).map((entry) => {
    if (entry.kind === 'header') return { entry, path: undefined, found: hasHeader(entry.name) };
    const where = entry.kind === 'file' ? (fs.existsSync(entry.name) ? entry.name : undefined) : findOnPath(entry.name, env);
    return { entry, path: where, found: where !== undefined };
  });
}
