import { isatty } from 'node:tty';
import { HacoError } from '../errors';
import type { ContainerPlan } from '../plan/types';
import { ptyObstacle, type TerminalOptions } from '../runtime/compile-terminal';

/** What the user asked for on the command line; undefined = haco's default. */
export interface TerminalRequest {
  /** `-t` / `--no-tty`; default: a pty when our stdin is a terminal (and the container can have one). */
  tty?: boolean;
  /** `-i` / `--no-interactive`; default: the container reads our stdin. */
  interactive?: boolean;
  /** `--init` / `--no-init`; default: a reaper as PID 1 for a foreground start (like `docker run --init`). */
  init?: boolean;
}

/**
 * The terminal and init of one start, like `podman run -it`: a pty when asked for, or when stdin is a
 * terminal; the user's keys relayed unless `--no-interactive`; a reaper as PID 1 in the foreground, so
 * Ctrl-C ends a command that has no SIGINT handler (PID 1 of a pid namespace ignores signals it does not
 * handle). Returns the container to compile and the terminal options for the compiler.
 */
export function decideTerminal(
  c: ContainerPlan,
  req: TerminalRequest & { detach?: boolean },
  stdinIsTerminal: boolean = isatty(0),
): { container: ContainerPlan; terminal: TerminalOptions | undefined } {
  const interactive = req.interactive ?? true;
  let container = c;
  const init = req.init ?? (req.detach ? c.process.reaper : true);
  if (init !== c.process.reaper) container = { ...container, process: { ...container.process, reaper: init } };
  const obstacle = ptyObstacle(container);
  if (req.detach) {
    // A detached container gets a terminal only when asked (-t): its supervisor keeps the pty and
    // `haco attach NAME` connects to it (the console), as with runc's console socket.
    if (req.tty && obstacle) throw new HacoError('E_PTY_UNAVAILABLE', `container "${c.name}" cannot have a terminal: ${obstacle}`, { hint: 'start it detached without -t' });
    return { container, terminal: req.tty ? { pty: true, stdin: true } : undefined };
  }
  if (req.tty === true && obstacle) {
    throw new HacoError('E_PTY_UNAVAILABLE', `container "${c.name}" cannot have a terminal: ${obstacle}`, {
      hint: 'drop -t, or keep the standard devpts mount and the default stdio',
    });
  }
  const pty = req.tty ?? (stdinIsTerminal && !obstacle);
  if (!pty && !interactive && !container.process.stdio.stdin) {
    // Like podman without -i: the container's stdin is at end of file.
    container = { ...container, process: { ...container.process, stdio: { ...container.process.stdio, stdin: { side: 'host', path: '/dev/null', append: false } } } };
  }
  return { container, terminal: pty ? { pty: true, stdin: interactive } : undefined };
}
