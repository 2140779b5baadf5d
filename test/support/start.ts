// Running `haco start` in the background from a root test, to look at the container from the host while
// it runs (its /proc/PID files, its cgroup) and to send signals to the launcher.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { HACO_BIN, REPO } from './cli';

export interface RunningStart {
  /** PID of bin/haco, which execs the launcher in its place: the launcher's PID once the container runs. */
  pid: number;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout match of `re`; rejects after `timeoutMs` or if haco exits first. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with haco's exit status (128+N for a signal) and all it printed (for `toExitWith`). */
  exited: Promise<StartExit>;
  /** SIGKILLs whatever is still running (launcher, then the container through its cgroup/PDEATHSIG). */
  kill(): void;
}

export interface StartExit {
  status: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  command: readonly string[];
}

/** `haco start FILE -- ...command` in the background (stdin closed). */
export function startInBackground(file: string, command: string[], env: Record<string, string>): RunningStart {
  const args = ['start', file, ...(command.length ? ['--', ...command] : [])];
  const child = spawn(HACO_BIN, args, {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of [...waiters]) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<StartExit>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ status: code ?? 128, signal, stdout: out, stderr: err, command: ['haco', ...args] });
      for (const w of [...waiters]) w();
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    pid: child.pid!,
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          remove();
          reject(new Error(`timed out waiting for ${re} in haco's stdout\nstdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        const check = () => {
          const m = re.exec(out);
          if (m) {
            remove();
            resolve(m);
          } else if (done) {
            remove();
            reject(new Error(`haco exited before printing ${re}\nstdout: ${out}\nstderr: ${err}`));
          }
        };
        const remove = () => {
          clearTimeout(timer);
          const i = waiters.indexOf(check);
          if (i >= 0) waiters.splice(i, 1);
        };
        waiters.push(check);
        check();
      });
    },
    kill() {
      if (!done) {
        try {
          process.kill(child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

/** Direct children of a process (/proc/PID/task/PID/children). */
export function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** The command name (comm) of a process, or undefined when it is gone. */
export function commOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Polls `check` every 50 ms until it returns a value other than undefined, or throws after timeoutMs. */
export async function until<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exeOf(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/**
 * The container's init as seen from the host. bin/haco execs the launcher with haco's PID, so the launcher
 * is `start.pid`; its children are the container init and possibly the launcher's own helpers (the cleanup
 * watcher, a fork of the launcher). The init is the child running another program, or haco-init (the
 * default init, a fork of the launcher too): call this once the
 * container has printed something, i.e. after its exec.
 */
export async function containerInit(start: RunningStart): Promise<number> {
  return until('the container init (child of the launcher)', () => {
    const launcherExe = exeOf(start.pid);
    if (launcherExe === undefined) return undefined;
    return childrenOf(start.pid).find((p) => {
      const exe = exeOf(p);
      // The default init (the launcher's `reaper` fork) renames itself haco-init; the watcher keeps the launcher's name.
      return exe !== undefined && (exe !== launcherExe || commOf(p) === 'haco-init');
    });
  });
}
