/**
 * Runs `work` with an AbortSignal that SIGINT/SIGTERM abort, so child processes (passed the signal)
 * are stopped and the command can clean up and report, instead of node dying mid-way.
 * Bootstrap has its own handler (bootstrap/atomic.ts) that also removes the half-made tree.
 */
export async function withCancel<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    // The reason is the signal's name: a command can exit 130 (SIGINT) or 143 (SIGTERM) like a shell would.
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
