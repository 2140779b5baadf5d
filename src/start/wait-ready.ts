import { EXIT, HacoError } from '../errors';
import type { ReadinessPlan } from '../plan/types';
import { readState } from '../state';

/** The state-meta line `haco ps` reads to know the container has a readiness probe (and what it is). */
export function readinessMeta(r: ReadinessPlan | undefined): Record<string, string> {
  if (!r) return {};
  return { readiness: r.kind === 'port' ? `port ${r.port}` : `command ${(r.command ?? []).join(' ')}` };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `haco start -d --wait-ready`: after the detached launcher returned, poll the state until the supervisor's
 * event process records the readiness (STATE/ready, native/src/events.c). The supervisor decides "not ready"
 * at the probe's own timeout; `slackMs` more is for a supervisor that died meanwhile. Node exits afterwards:
 * nothing stays resident.
 */
export async function waitReady(name: string, readiness: ReadinessPlan | undefined, slackMs = 5000): Promise<number> {
  if (!readiness) {
    throw new HacoError('E_NOT_READY', `container "${name}" has no readiness probe to wait for`, {
      hint: 'add .readiness({ port: 8080 }) or .readiness({ command: "…" }) to its definition, or drop --wait-ready',
      exitCode: EXIT.usage,
    });
  }
  const started = Date.now();
  for (;;) {
    const state = readState(name);
    const ready = state?.recorded.meta['ready'];
    if (ready === 'yes') return Date.now() - started;
    if (ready === 'no' || !state || state.status === 'exited' || state.status === 'stale') {
      throw new HacoError('E_NOT_READY', `container "${name}" did not become ready (${ready === 'no' ? `not ready after ${readiness.timeoutMs} ms` : `it is ${state?.status ?? 'gone'}`})`, {
        hint: `see \`haco logs ${name}\`; the probe: ${readinessMeta(readiness)['readiness']}`,
        exitCode: EXIT.state,
      });
    }
    if (Date.now() - started > readiness.timeoutMs + slackMs) {
      throw new HacoError('E_NOT_READY', `container "${name}": no readiness record after ${readiness.timeoutMs + slackMs} ms`, {
        hint: `see \`haco logs ${name}\` and \`haco ps\``,
        exitCode: EXIT.state,
      });
    }
    await sleep(50);
  }
}
