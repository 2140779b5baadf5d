import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { leftoverCgroups } from '../../../support/cgroup';
import { haco, HACO_BIN, REPO, type CliResult } from '../../../support/cli';

/**
 * A throw-away directory for one root test: definitions, rootfs trees and HACO_STATE_ROOT all live in
 * it, so a test never touches /var/lib/haco. `remove()` detaches anything mounted below it first.
 */
export interface Sandbox {
  dir: string;
  state: string;
  /** Writes `NAME.haco.ts` with the given body (after the import) and returns its path. */
  def(name: string, body: string): string;
  /** Runs bin/haco with HACO_STATE_ROOT pointing into the sandbox. */
  run(args: string[], env?: Record<string, string>): CliResult;
  /**
   * `haco start FILE -- ...command` in the foreground (test/support/cli.ts haco(), state and run dirs in
   * the sandbox): the rootfs really started as its container.
   */
  start(file: string, command: string[], container?: string): CliResult;
  /** What a run left behind for container NAME: host mounts below the sandbox, cgroups haco/NAME(.provision). */
  leftovers(name: string): string[];
  /** Every path below `dir` (relative), sorted: to prove nothing was left behind. */
  listing(sub?: string): string[];
  remove(): void;
}

export function makeSandbox(prefix: string): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `haco-${prefix}-`));
  const state = path.join(dir, 'state');
  return {
    dir,
    state,
    def(name, body) {
      const file = path.join(dir, `${name}.haco.ts`);
      fs.writeFileSync(file, `import { defineContainer } from 'haco';\n${body}\n`);
      return file;
    },
    run(args, env = {}) {
      // Like test/support/cli.ts haco(), with room for a cold debootstrap (the helper stops at 120 s).
      if (!fs.existsSync(path.join(REPO, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
      const r = spawnSync(HACO_BIN, args, {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1', HACO_STATE_ROOT: state, HACO_NO_CACHE: '1', CI: 'true', ...env },
        encoding: 'utf8',
        input: '',
        timeout: 600_000,
      });
      if (r.error) throw r.error;
      return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr, command: ['haco', ...args] };
    },
    start(file, command, container) {
      return haco(['start', file, ...(container ? ['-c', container] : []), '--', ...command], { cwd: dir, env: { HACO_STATE_ROOT: state, HACO_RUN_DIR: path.join(dir, 'run'), HACO_NO_CACHE: '1', CI: 'true' } });
    },
    leftovers(name) {
      const mounts = fs
        .readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[4] ?? '')
        .filter((m) => m.startsWith(`${dir}/`))
        .map((m) => `mount ${m}`);
      const cgroups = [...leftoverCgroups(name), ...leftoverCgroups(`${name}.provision`)].map((c) => `cgroup ${c}`);
      const run = path.join(dir, 'run', name);
      return [...mounts, ...cgroups, ...(fs.existsSync(run) ? [`state ${run}`] : [])];
    },
    listing(sub = '') {
      const out: string[] = [];
      const walk = (rel: string): void => {
        const abs = path.join(dir, sub, rel);
        for (const name of fs.readdirSync(abs).sort()) {
          const r = rel ? `${rel}/${name}` : name;
          out.push(r);
          const st = fs.lstatSync(path.join(abs, name));
          if (st.isDirectory()) walk(r);
        }
      };
      walk('');
      return out;
    },
    remove() {
      const mounts = fs
        .readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[4] ?? '')
        .filter((m) => m.startsWith(`${dir}/`))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) spawnSync('umount', ['-l', m]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Mode bits of a path (lstat). */
export function modeOf(p: string): number {
  return fs.lstatSync(p).mode & 0o7777;
}

/** JSON event lines of a --json run. */
export function events(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
