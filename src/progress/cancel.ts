/**
 * Runs `work` with an AbortSignal that SIGINT/SIGTERM abort, so child processes (passed the signal)
 * are stopped and the command can clean up and report, instead of node dying mid-way.
 * Bootstrap has its own handler (bootstrap/atomic.ts) that also removes the half-made tree.
 */
/** Ctrl-C, `kill`, and a closed terminal: each stops the external tools haco runs, and their groups. */
export const CANCEL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function withCancel<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
    // The reason is the signal's name: a command can exit 130 (SIGINT) or 143 (SIGTERM) like a shell would.
    controller.abort(signal);
  };
  for (const s of CANCEL_SIGNALS) process.on(s, onSignal);
  try {
    return await work(controller.signal);
  } finally {
    for (const s of CANCEL_SIGNALS) process.off(s, onSignal);
  }
}
