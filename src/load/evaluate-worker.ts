/**
 * The evaluation worker (dist/evaluate-worker.js): runs one bundled definition and turns its export into
 * a plan, inside a worker thread whose heap is bounded and which the loader terminates on timeout
 * (src/load/isolated.ts). Only plain data goes back: the plan, where its fields were written, its
 * issues, or an error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HacoError } from '../errors';
import { buildPlan } from '../plan/build';
import { readImageRecord } from '../image/record';
import { evaluateBundle, thrownByDefinition } from './evaluate';
import { BundleMapper } from './source-map';
import { recordHostReads } from '../observe/host-reads';
import * as path from 'node:path';
import { packageRoot } from '../package-root';
import type { WorkerReply, WorkerRequest } from './isolated';

function errorReply(error: HacoError): WorkerReply {
  return {
    kind: 'error',
    code: error.code,
    message: error.message,
    ...(error.hint ? { hint: error.hint } : {}),
    ...(error.location ? { location: error.location } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
  };
}

/** haco's own code (dist/, its node_modules): loaded lazily during evaluation, identified by the build instead. */
function hacoOwnFiles(): string[] {
  const root = packageRoot();
  return [`${__dirname}${path.sep}`, `${path.join(root, 'dist')}${path.sep}`, `${path.join(root, 'node_modules')}${path.sep}`];
}

async function main(): Promise<WorkerReply> {
  const { entry, code, map } = workerData as WorkerRequest;
  const mapper = new BundleMapper(map, entry);
  // A rejection nobody handles or a throw in a timer is still the definition throwing, at its line.
  const asynchronous = (error: unknown) => parentPort!.postMessage(errorReply(thrownByDefinition(entry, error, mapper)));
  process.on('unhandledRejection', asynchronous);
  process.on('uncaughtException', asynchronous);
  try {
    // What the definition (and the plan builder) read from the host: environment variables, files. The
    // cached plan is reused only while each still gives the same answer (src/load/cache.ts). haco's own
    // files (this worker's folder, loaded lazily) are not recorded: the build's identity covers them.
    const { result: built, recording } = await recordHostReads(async () => {
      const exported = evaluateBundle(entry, { code, map, inputs: [] }, mapper);
      // Let the promise jobs the definition queued run now, inside this worker's time limit: a loop in a
      // `.then()` must end as a timeout, not hang haco after the plan was taken.
      await new Promise((resolve) => setImmediate(resolve));
      return buildPlan(entry, exported, { imageRecord: readImageRecord });
    }, { skip: hacoOwnFiles() });
    if ('notContainers' in built) return { kind: 'notContainers', message: built.notContainers };
    const locations = built.locations.map((byPath) => Object.fromEntries(Object.entries(byPath).map(([key, loc]) => [key, mapper.map(loc)])));
    const issues = built.issues.map((issue) => ({ ...issue, location: issue.location && mapper.map(issue.location) }));
    return { kind: 'plan', plan: built.plan, locations, issues, observed: recording.observed, ...(recording.untracked ? { untracked: recording.untracked } : {}) };
  } catch (error) {
    if (error instanceof HacoError) return errorReply(error);
    // Not the definition's fault: haco itself failed while building the plan.
    return { kind: 'bug', message: String((error as Error | null)?.message ?? error), stack: String((error as Error | null)?.stack ?? '') };
  }
}

void main().then((reply) => parentPort!.postMessage(reply));
