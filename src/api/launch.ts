import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { RunResult } from './types';

/**
 * Runs the launcher on a spec (on fd 3) and collects what it and the container print. The API's
 * counterpart of src/start/handoff.ts: a program keeps running next to the container, so it waits for
 * the launcher instead of being replaced by it.
 */
export function runLauncher(argv: readonly string[], spec: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, [...argv.slice(1), '--spec-fd', '3'], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    (child.stdio[3] as NodeJS.WritableStream).end(spec);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout, stderr }));
  });
}
