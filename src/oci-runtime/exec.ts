import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, HacoError, UsageError } from '../errors';
import { attachSelfMoves, compileAttachSpec, type AttachOptions } from '../lifecycle/attach';
import type { ContainerPlan } from '../plan/types';
import { readLimits } from '../procfs/limits';
import { findLauncher } from '../runtime/launcher-path';
import { handOver } from '../start/handoff';
import { parseState, readEnviron } from '../state';
import { callerStdio, runLauncher, writePidFile } from './launch';
import { requireOciEntry } from './state';

/** The runtime-spec `process` object `exec --process FILE` reads (config.md "Process"); what haco uses of it. */
interface OciProcess {
  args?: string[];
  env?: string[];
  cwd?: string;
  terminal?: boolean;
  user?: { uid?: number; gid?: number };
}

export interface ExecRequest {
  root: string;
  id: string;
  /** `--process FILE`, or the command after the id. */
  processFile?: string;
  command: string[];
  detach: boolean;
  pidFile?: string;
  preserveFds: number;
  trace: boolean;
  /** `--tty`: a terminal for the command (also when the --process file says `terminal: true`). */
  tty: boolean;
  /** `--console-socket PATH`: where the terminal's master goes (SCM_RIGHTS); needed with --detach. */
  consoleSocket?: string;
}

function readProcess(file: string): OciProcess {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as OciProcess;
  } catch (error) {
    throw new UsageError(`--process ${file}: ${(error as Error).message}`, 'give --process a runtime-spec process JSON file (config.json\'s "process" object)');
  }
}

/**
 * `haco runtime exec`: a command in a running container, through the same spec as `haco attach` (its
 * namespaces, cgroups, identity, capabilities, seccomp filter). With --detach (what podman's conmon asks)
 * the launcher leaves once the command runs, so the caller's subreaper waits for it, as with runc; its pid
 * goes to --pid-file. Without, the launcher runs it in the foreground and its status is ours.
 */
export async function execInContainer(req: ExecRequest): Promise<number> {
  const entry = requireOciEntry(req.root, req.id);
  if (entry.state.status !== 'running') {
    throw new HacoError('E_OCI_STATUS', `cannot exec in container "${req.id}": it is ${entry.state.status}, not running`, { hint: `start it first: haco runtime start ${req.id}`, exitCode: EXIT.state });
  }
  const proc: OciProcess = req.processFile ? readProcess(req.processFile) : { args: req.command };
  const terminal = terminalOf(req.tty || proc.terminal === true, req.consoleSocket, req.detach);
  const args = proc.args ?? [];
  if (args.length === 0) throw new UsageError('exec needs a command: --process FILE with "args", or the command after the id', 'e.g. haco runtime exec app -- ls /');
  const pid = entry.recorded.pid;
  const saved = JSON.parse(fs.readFileSync(path.join(entry.dir, 'plan.json'), 'utf8')) as ContainerPlan;
  const plan: ContainerPlan = { ...saved, process: { ...saved.process, cwd: proc.cwd ?? saved.process.cwd } };
  const env = proc.env ? Object.fromEntries(proc.env.map((kv) => [kv.slice(0, Math.max(kv.indexOf('='), 0)) || kv, kv.includes('=') ? kv.slice(kv.indexOf('=') + 1) : ''])) : readEnviron(pid);
  const cgroups = (entry.recorded.meta['cgroups'] ?? '').split(',').filter((d) => d && fs.existsSync(d));
  const user = proc.user?.uid !== undefined ? { uid: proc.user.uid, gid: proc.user.gid ?? 0 } : undefined;
  const selfMoves = attachSelfMoves(cgroups, (process.geteuid?.() ?? 0) !== 0);
  const opts: AttachOptions = { preserveFds: req.preserveFds, rlimits: readLimits(pid), ...(user ? { user } : {}), ...(terminal ? { terminal } : {}), ...(selfMoves ? { selfMoves } : {}) };
  const name = entry.recorded.name || req.id;
  if (!req.detach) {
    const spec = compileAttachSpec(name, pid, plan, env, cgroups, args, opts);
    return handOver([findLauncher(), ...(req.trace ? ['--trace'] : [])], spec, req.preserveFds);
  }
  const stateDir = path.join(entry.dir, `exec-${process.pid}`);
  const spec = compileAttachSpec(name, pid, plan, env, cgroups, args, { ...opts, detached: { stateDir, stdio: terminal ? {} : callerStdio(), ...(req.consoleSocket ? { consoleSocket: path.resolve(req.consoleSocket) } : {}) } });
  try {
    const run = runLauncher([...(req.trace ? ['--trace'] : []), '--detach', '--spec', '-'], spec, req.preserveFds);
    if (run.status !== 0) return run.status ?? 125;
    const recorded = parseState(fs.readFileSync(path.join(stateDir, 'state'), 'utf8'));
    if (req.pidFile) writePidFile(req.pidFile, recorded.pid);
    return 0;
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * A terminal for the command, as runc decides it: `--tty` or the process's `terminal`. Detached, its
 * master must go somewhere: `--console-socket` (podman exec -t gives one); in the foreground the pty is
 * relayed to our own terminal, as `haco attach -t`. A console socket without a terminal is refused too.
 */
function terminalOf(tty: boolean, consoleSocket: string | undefined, detach: boolean): AttachOptions['terminal'] {
  if (!tty) {
    if (consoleSocket) throw new UsageError('--console-socket without a terminal', 'add --tty (or "terminal": true in the --process file), or drop --console-socket');
    return undefined;
  }
  if (detach && !consoleSocket) throw new UsageError('exec --detach with a terminal needs --console-socket PATH (where its master goes)', 'give --console-socket, or drop --tty');
  return { pty: true, stdin: !consoleSocket };
}
