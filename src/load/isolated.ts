import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorCode, SourceLocation } from '../errors';
import type { LocatedIssue, PlanLocations } from '../plan/build';
import type { Plan } from '../plan/types';
import type { Bundle } from './bundle';
import type { Observation } from '../observe/host-reads';
import { DefinitionError } from './definition-error';
import { evaluationHeapMiB, evaluationTimeoutMs, exitedDuring, timedOut } from './evaluate';

/** What the loader sends the evaluation worker. */
export interface WorkerRequest {
  entry: string;
  code: string;
  map: string;
}

/** What the evaluation worker answers: plain data only. */
export type WorkerReply =
  | { kind: 'plan'; plan: Plan; locations: PlanLocations; issues: LocatedIssue[]; observed: Observation[]; untracked?: string }
  | { kind: 'notContainers'; message: string }
  | { kind: 'error'; code: ErrorCode; message: string; hint?: string; location?: SourceLocation; stack?: string }
  | { kind: 'bug'; message: string; stack: string };

export type Evaluated = Extract<WorkerReply, { kind: 'plan' } | { kind: 'notContainers' }>;

/**
 * Evaluate a bundled definition in a worker thread: its heap is capped (HACO_EVAL_HEAP_MB, default 512)
 * and the whole evaluation — synchronous code and the promise jobs it queues — must end within
 * HACO_EVAL_TIMEOUT_MS (default 5000), else the worker is terminated. Only a cache miss pays for the
 * worker (~40 ms); a cached plan never starts one. This bounds mistakes, not malice: see
 * docs/security.md, "Evaluating a definition".
 */
export async function evaluateIsolated(entry: string, bundle: Bundle): Promise<Evaluated> {
  const { Worker } = await import('node:worker_threads');
  const timeout = evaluationTimeoutMs();
  const heap = evaluationHeapMiB();
  const worker = new Worker(workerScript(), {
    workerData: { entry, code: bundle.code, map: bundle.map } satisfies WorkerRequest,
    resourceLimits: { maxOldGenerationSizeMb: heap },
  });
  const reply = await new Promise<WorkerReply | DefinitionError | Error>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (value: WorkerReply | DefinitionError | Error) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      void worker.terminate();
      resolve(value);
    };
    // Started once the worker runs: its own start-up is not the definition's time. The margin lets
    // vm's timeout inside the worker report a synchronous loop first.
    worker.once('online', () => {
      timer = setTimeout(() => settle(timedOut(entry, timeout)), timeout + 250);
    });
    worker.once('message', (message: WorkerReply) => settle(message));
    worker.once('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        settle(new DefinitionError('E_HEAP', `${path.basename(entry)}: the definition used more than ${heap} MiB of memory while being evaluated`, {
          hint: 'look for a loop that keeps allocating (or raise HACO_EVAL_HEAP_MB)',
          location: { file: entry, line: 1, column: 1 },
        }));
      } else settle(error);
    });
    worker.once('exit', (code) => settle(exitedDuring(entry, code)));
  });
  if (reply instanceof Error) throw reply;
  switch (reply.kind) {
    case 'plan':
    case 'notContainers':
      return reply;
    case 'error': {
      const error = new DefinitionError(reply.code, reply.message, {
        ...(reply.hint ? { hint: reply.hint } : {}),
        ...(reply.location ? { location: reply.location } : {}),
      });
      if (reply.stack) error.stack = reply.stack;
      throw error;
    }
    case 'bug': {
      const error = new Error(reply.message);
      error.stack = reply.stack;
      throw error;
    }
  }
}

let devScript: string | undefined;

/**
 * dist/evaluate-worker.js once built. Under jest haco runs from src/*.ts, which a worker cannot load:
 * the worker entry is bundled once per process into node_modules/.cache/haco-eval-worker, a folder of its
 * own (DSL call sites skip frames from the worker's own folder). It is rewritten (temp file + rename)
 * only when the bundle changed, so test processes share one file and none is left in os.tmpdir().
 */
function workerScript(): string {
  if (!__filename.endsWith('.ts')) return path.join(__dirname, 'evaluate-worker.js');
  if (devScript) return devScript;
  const esbuild = require('esbuild') as typeof import('esbuild');
  const dir = path.resolve(__dirname, '../../node_modules/.cache/haco-eval-worker');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const out = path.join(dir, 'evaluate-worker.js');
  const built = esbuild.buildSync({
    entryPoints: [path.join(__dirname, 'evaluate-worker.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    outfile: out,
    external: ['esbuild', 'typescript', 'ts-node'],
    logLevel: 'silent',
  });
  const code = built.outputFiles[0]!.text;
  let current: string | undefined;
  try {
    current = fs.readFileSync(out, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== code) {
    const tmp = `${out}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code, { mode: 0o600 });
    fs.renameSync(tmp, out);
  }
  devScript = out;
  return out;
}
