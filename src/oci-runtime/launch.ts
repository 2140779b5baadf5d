import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StdioPlan } from '../plan/types';
import { findLauncher } from '../runtime/launcher-path';
import { logRuntime } from './runtime-log';

/**
 * As runc: the container's (or an exec's) stdin, stdout and stderr are those of the caller of `create` (podman's conmon
 * reads the program's output from them). The launcher's supervisor opens them as /proc/CREATE/fd/N in
 * phase 1, while this process waits for it. A socket cannot be opened that way (ENXIO): that stream
 * stays the supervisor's (/dev/null, its log), said on stderr.
 */
export function callerStdio(): StdioPlan {
  const streams = [['stdin', 0, 'r'], ['stdout', 1, 'w'], ['stderr', 2, 'w']] as const;
  const out: StdioPlan = {};
  for (const [key, fd, want] of streams) {
    let st: fs.Stats;
    try {
      st = fs.fstatSync(fd);
    } catch {
      continue; // closed: the container gets the supervisor's
    }
    if (st.isSocket()) {
      process.stderr.write(`haco: the caller's ${key} is a socket, which cannot be reopened: the container's ${key} is /dev/null\n`);
      continue;
    }
    out[key] = { side: 'host', path: `/proc/${process.pid}/fd/${fd}`, append: want === 'w' };
  }
  return out;
}

/** runc writes the pid without a newline, atomically (an engine may poll for the file). */
export function writePidFile(file: string, pid: number): void {
  const target = path.resolve(file);
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, String(pid), { mode: 0o644 });
  fs.renameSync(tmp, target);
}

/**
 * The launcher's messages go through a file, not our stderr: the created child is forked before the
 * caller returns and keeps a copy of the launcher's stderr until its exec, so a caller reading our
 * stderr to the end (an engine, a test, `$(…)`) would wait until `start`. The file is read once the
 * launcher's first process exits and then unlinked (the child's later --trace lines go nowhere).
 * stdout gets the launcher's "started" line, which is not part of the OCI interface: dropped.
 * With PRESERVEFDS the messages file is opened after them, so it never takes one of their numbers.
 */
export function runLauncher(argv: string[], spec: string, preserveFds = 0): { status: number | null } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-oci-create-'));
  const file = path.join(tmp, 'messages');
  const fd = fs.openSync(file, 'w+', 0o600);
  try {
    // --preserve-fds N: our fds 3..3+N-1 are the launcher's too (the spec's preserve-fds keeps them open for the program)
    const extra = Array.from({ length: preserveFds }, (_, i) => 3 + i);
    const run = spawnSync(findLauncher(), argv, { input: spec, stdio: ['pipe', 'ignore', fd, ...extra] });
    if (run.error) throw run.error;
    const messages = fs.readFileSync(file, 'utf8');
    if (messages) {
      process.stderr.write(messages);
      // the launcher's error (step, path, errno, hint) for the engine's --log; on success only notes
      logRuntime(run.status === 0 ? 'warning' : 'error', messages);
    }
    return { status: run.status };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
