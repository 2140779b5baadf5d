import * as path from 'node:path';
import { HacoError } from '../errors';
import type { ContainerPlan } from '../plan/types';
import type { SpecWriter } from './spec-writer';

/**
 * The terminal of a foreground start, decided by `haco start` (src/start/terminal.ts) and executed by the
 * launcher (native/src/pty.c).
 */
export interface TerminalOptions {
  /** Give the container a pty of its own (`pty` step) and relay the user's terminal to it. */
  pty: boolean;
  /** Relay the user's keystrokes (`-i`); without it the container has a terminal that never gets input. */
  stdin: boolean;
}

/** Signals a foreground launcher always passes on to the container. */
const FORWARDED = ['TERM', 'HUP', 'QUIT', 'USR1', 'USR2'] as const;

/**
 * Which signals the launcher forwards. With a pty the user's terminal is raw and the container is in a
 * session of its own, so Ctrl-C and a resize never reach it from the terminal: INT and WINCH sent to the
 * launcher are passed on (WINCH as the new window size of the pty). Without a pty the container shares the
 * terminal's foreground process group and gets INT and WINCH from the kernel directly; forwarding them
 * too would deliver each twice.
 */
export function forwardedSignals(term: TerminalOptions | undefined): string[] {
  return term?.pty ? ['INT', ...FORWARDED, 'WINCH'] : [...FORWARDED];
}

/** The container's ptmx: the devpts instance the container mounts itself (never the host's). */
export function containerPtmx(c: ContainerPlan): string | undefined {
  const devpts = c.mounts.find((m) => m.type === 'standard' && m.fs === 'devpts');
  return devpts ? path.posix.join(devpts.target, 'ptmx') : undefined;
}

/** Why this container cannot get a pty, or undefined when it can. */
export function ptyObstacle(c: ContainerPlan): string | undefined {
  if (!containerPtmx(c)) return 'it mounts no devpts of its own (the pty must come from the container\'s devpts)';
  const redirected = (['stdin', 'stdout', 'stderr'] as const).filter((k) => c.process.stdio[k]);
  if (redirected.length > 0) return `its ${redirected.join(', ')} ${redirected.length > 1 ? 'are' : 'is'} redirected to a file`;
  return undefined;
}

/**
 * `setsid` + `pty`: after the switch into the rootfs (so /dev/pts/ptmx is the container's), before the
 * identity changes (opening and chowning the terminal needs the container's root).
 */
export function emitTerminal(w: SpecWriter, c: ContainerPlan, term: TerminalOptions | undefined): void {
  if (!term?.pty) {
    if (c.process.sessionLeader) w.step('setsid');
    return;
  }
  const ptmx = containerPtmx(c);
  const obstacle = ptyObstacle(c);
  if (!ptmx || obstacle) {
    throw new HacoError('E_PTY_UNAVAILABLE', `container "${c.name}" cannot have a terminal: ${obstacle ?? 'no devpts'}`, {
      hint: 'drop -t (haco start --no-tty), or keep the standard devpts mount and the default stdio',
    });
  }
  w.comment('a terminal of its own: a new session, a pty from the container\'s devpts as its controlling terminal and fds 0-2');
  w.step('setsid');
  w.step('pty', ptmx, c.process.user.uid, c.process.user.gid, term.stdin ? 'stdin' : 'no-stdin');
}
