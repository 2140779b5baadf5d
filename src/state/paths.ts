import * as path from 'node:path';

/** Where every container's state directory lives: /run/haco, or HACO_RUN_DIR (tests). */
export function runDir(): string {
  return process.env['HACO_RUN_DIR'] || '/run/haco';
}

export function stateDirOf(name: string): string {
  return path.join(runDir(), name);
}
