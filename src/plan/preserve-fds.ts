import { UsageError } from '../errors';

/**
 * How many of the caller's fds (3..3+N-1) may be passed to a container (`preserveFds`, `--preserve-fds`).
 * bin/haco gives the launch spec to the launcher on fd 9 (a POSIX shell names fds 0-9 only), so fds 3..8
 * are the ones that can pass through it untouched.
 */
export const PRESERVE_FDS_MAX = 6;

/** Why N is not a valid count, or undefined when it is. */
export function preserveFdsProblem(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 0 || n > PRESERVE_FDS_MAX) {
    return `preserveFds must be a whole number from 0 to ${PRESERVE_FDS_MAX} (fds 3..${2 + PRESERVE_FDS_MAX}), not ${n}`;
  }
  return undefined;
}

/** The `--preserve-fds` value, checked; a bad one is a usage error that names the limit. */
export function preserveFdsOption(n: number): number {
  const problem = preserveFdsProblem(n);
  if (problem) throw new UsageError(problem.replace('preserveFds', '--preserve-fds'), 'e.g. --preserve-fds 1 passes fd 3');
  return n;
}
