import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { launcherFds } from '../start/handoff';
import type { RunResult } from './types';

/**
 * Runs the launcher on a spec (on fd 3, after any preserved fds) and collects what it and the container print. The API's
 * counterpart of src/start/handoff.ts: a program keeps running next to the container, so it waits for
 * the launcher instead of being replaced by it.
 */
export function runLauncher(argv: readonly string[], spec: string, preserveFds = 0): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const { specFd, preserved } = launcherFds(preserveFds);
    const child = spawn(argv[0]!, [...argv.slice(1), '--spec-fd', String(specFd)], { stdio: ['ignore', 'pipe', 'pipe', ...preserved, 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    (child.stdio[specFd] as NodeJS.WritableStream).end(spec);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout, stderr }));
  });
}
