import * as fs from 'node:fs';
import { UsageError } from '../errors';
import type { ContainerPlan, Plan } from './types';

/** The containers a command works on: all of the file's, or the one `-c NAME` picked. */
export function pickContainers(plan: Plan, file: string, name: string | undefined): ContainerPlan[] {
  if (name === undefined) return plan.containers;
  const found = plan.containers.find((c) => c.name === name);
  if (!found) throw new UsageError(`${file} has no container "${name}"`, `containers: ${plan.containers.map((c) => c.name).join(', ')}`);
  return [found];
}

/** The one container a command needs: the one named, or the only one in the file. */
export function pickContainer(plan: Plan, file: string, name: string | undefined): ContainerPlan {
  const picked = pickContainers(plan, file, name);
  if (picked.length > 1) {
    const names = picked.map((c) => c.name);
    throw new UsageError(`${file} defines ${picked.length} containers: say which one`, `write ${file}#${names[0]} or add --container ${names[0]} (containers: ${names.join(', ')})`);
  }
  return picked[0]!;
}

/** A definition file and, when the command line chose one, a container of it. */
export interface FileRef {
  file: string;
  container?: string;
}

/**
 * `FILE#NAME` or `FILE` (with `-c NAME`) → the file and the container chosen. The one parser for every
 * command that takes a definition file, so `app.haco.ts#web` means the same to start, create, plan, diff…
 * A file whose name really contains `#` still works when it exists as written.
 */
export function parseFileRef(arg: string, containerFlag?: string, exists: (p: string) => boolean = defaultExists): FileRef {
  const hash = arg.lastIndexOf('#');
  if (hash <= 0 || exists(arg)) return { file: arg, ...(containerFlag !== undefined ? { container: containerFlag } : {}) };
  const file = arg.slice(0, hash);
  const name = arg.slice(hash + 1);
  if (name === '') throw new UsageError(`"${arg}" names no container after "#"`, `write FILE#NAME, e.g. ${file}#web, or just ${file}`);
  if (containerFlag !== undefined && containerFlag !== name) {
    throw new UsageError(`"${arg}" and --container ${containerFlag} name two different containers`, `keep one: ${file}#${containerFlag} or ${arg}`);
  }
  return { file, container: name };
}

function defaultExists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}
