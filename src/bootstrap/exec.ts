import { execFile } from 'node:child_process';

export interface Captured {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a short host command and captures its output (no streaming: listings, `du`, `--list-full`).
 * Long-running tools whose output the user should see go through progress/run-streamed.ts (execa).
 * Never throws for a non-zero exit or a missing program (exit 127).
 */
export function capture(file: string, args: readonly string[], options: { env?: Record<string, string> } = {}): Promise<Captured> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, env: { ...process.env, ...options.env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
        resolve({ exitCode: code, stdout, stderr: stderr || (error && !stderr ? error.message : '') });
      },
    );
  });
}
