import { errorToJson } from './report';
import type { Reporter } from '../../progress/reporter';

/**
 * With --json a failure is one more event line (`{"event":"error",…}`) on stdout, so a tool reading
 * the stream line by line gets it like every other event.
 */
export function reportJsonError(error: unknown): void {
  process.stdout.write(`${JSON.stringify({ event: 'error', time: new Date().toISOString(), ...errorToJson(error) })}\n`);
}

/** Runs `work` with a reporter that is always closed (the live status line cleared) afterwards. */
export async function withReporter<T>(reporter: Reporter, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    reporter.close();
  }
}
