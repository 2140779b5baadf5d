import * as fs from 'node:fs';
import { EXIT, HacoError } from '../errors';
import { prepareAttach } from '../lifecycle/attach';
import { killContainer, signalNumber } from '../lifecycle/kill';
import { removeContainer } from '../lifecycle/rm';
import { findLauncher } from '../runtime/launcher-path';
import { logFileOf, readState, requireState } from '../state';
import { parseLogLine } from '../lifecycle/log-format';
import { runLauncher } from './launch';
import type { ContainerStatus, Logs, RunResult, StopOptions, StopResult } from './types';

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A detached container, as `start()` returns it. Every method is the matching `haco` command. */
export class Container {
  constructor(
    /** The container's name (`haco ps`). */
    readonly name: string,
  ) {}

  /** Runs ARGV inside the running container (`haco attach NAME -- ARGV`) and resolves when it ends. */
  async exec(argv: readonly string[]): Promise<RunResult> {
    if (argv.length === 0) throw new HacoError('E_USAGE', 'exec needs a command', { hint: "container.exec(['sh', '-c', '…'])", exitCode: EXIT.usage });
    const target = prepareAttach(this.name, [...argv]);
    return runLauncher([findLauncher({ log: () => undefined })], target.spec);
  }

  /** What it printed so far (`haco logs NAME`). */
  async logs(): Promise<Logs> {
    const file = logFileOf(requireState(this.name).dir);
    const out: Logs = { stdout: '', stderr: '' };
    for (const line of `${readOr(`${file}.1`)}${readOr(file)}`.split('\n')) {
      const r = parseLogLine(line);
      if (r && r.stream !== 'haco') out[r.stream] += `${r.text}${r.complete ? '\n' : ''}`;
    }
    return out;
  }

  /** Its state now (`haco ps`); undefined once removed. */
  status(): ContainerStatus | undefined {
    const s = readState(this.name);
    return s && { status: s.status, pid: s.recorded.pid, exitCode: s.recorded.exitCode, restarts: s.recorded.restarts };
  }

  /** Stops it (`haco kill NAME`): the signal, then SIGKILL after the timeout; resolves once it exited. */
  async stop(options: StopOptions = {}): Promise<StopResult> {
    const signal = typeof options.signal === 'number' ? options.signal : signalNumber(options.signal ?? 'TERM');
    const r = await killContainer(this.name, signal, options.timeoutMs ?? 10_000);
    return { exitCode: r.exitCode, escalated: r.escalated };
  }

  /** Removes the exited container's state and cgroups (`haco rm NAME`). Stop it first. */
  async remove(): Promise<void> {
    await removeContainer(this.name);
  }
}
