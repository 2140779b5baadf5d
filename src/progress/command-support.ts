import { UsageError } from '../errors';
import type { ContainerPlan, Plan } from '../plan/types';
import { errorToJson } from '../cli/report';
import type { Reporter } from './reporter';

/** The containers a command works on: all of the file's, or the one `-c NAME` picked. */
export function pickContainers(plan: Plan, file: string, only: string | undefined): ContainerPlan[] {
  if (!only) return plan.containers;
  const picked = plan.containers.filter((c) => c.name === only);
  if (picked.length === 0) {
    throw new UsageError(`${file} has no container "${only}"`, `containers: ${plan.containers.map((c) => c.name).join(', ')}`);
  }
  return picked;
}

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
