import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');
export const HACO_BIN = path.join(REPO, 'bin/haco');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
  /** The argv that ran, for failure messages (`expect(r).toExitWith(0)`). */
  command?: readonly string[];
}

/** Runs bin/haco as a user would (through the sh wrapper and the built bundles). */
export function haco(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; input?: string } = {}): CliResult {
  if (!fs.existsSync(path.join(REPO, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
  delete env['NODE_EXTRA_CA_CERTS'];
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const r = spawnSync(HACO_BIN, args, {
    cwd: options.cwd ?? REPO,
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr, command: ['haco', ...args] };
}
