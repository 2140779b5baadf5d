import * as fs from 'node:fs';
import * as path from 'node:path';
import { planForThisUser } from '../rootless/adapt';
import type { PlanLocations } from '../plan/build';
import type { Plan } from '../plan/types';
import { HACO_VERSION } from '../version';
import { bundleDefinition } from './bundle';
import { readCachedPlan, writeCachedPlan } from './cache';
import { DefinitionError } from './definition-error';
import { evaluateIsolated } from './isolated';
import { imageRecordPath } from '../image/record';
import type { Observation } from '../observe/host-reads';

/**
 * The pin records an image bootstrap's plan was built from are inputs like the source files: a
 * `haco create` that pins another digest makes the cached plan stale. A record that does not exist
 * yet leaves the plan uncached (writeCachedPlan skips a missing input), so the first plan after the
 * create sees it.
 */
function imageRecordInputs(plan: Plan): string[] {
  return plan.containers.filter((c) => c.bootstrap.strategy === 'image').map((c) => imageRecordPath(c.name));
}

export interface LoadedDefinition {
  file: string;
  plan: Plan;
  locations: PlanLocations;
  fromCache: boolean;
  /**
   * Everything the plan came from, when all of it is known: the bundle's inputs and what the definition
   * read (src/observe/host-reads.ts). Undefined when the plan was not cached (a launch is then not kept).
   */
  observed?: Observation[];
}

export interface LoadOptions {
  /** Use and fill the compiled-plan cache (default true). */
  cache?: boolean;
}

/**
 * `.haco.ts` → validated plan. Throws DefinitionError (with file:line:column) for a syntax error, a
 * throw, an endless loop, a missing default export or any invalid field.
 */
export async function loadDefinition(file: string, options: LoadOptions = {}): Promise<LoadedDefinition> {
  const entry = path.resolve(file);
  if (!fs.existsSync(entry)) {
    throw new DefinitionError('E_NO_FILE', `${file}: no such file`, { hint: 'create one with `haco new FILE`' });
  }
  const useCache = options.cache ?? process.env['HACO_NO_CACHE'] !== '1';
  if (useCache) {
    const cached = readCachedPlan(entry, HACO_VERSION);
    if (cached) return { file: entry, plan: planForThisUser(cached.plan), locations: cached.locations, fromCache: true, observed: cached.observed };
  }
  const bundle = await bundleDefinition(entry);
  const evaluated = await evaluateIsolated(entry, bundle);
  if (evaluated.kind === 'notContainers') {
    throw new DefinitionError('E_NOT_CONTAINER', `${path.basename(entry)}: ${evaluated.message}`, {
      hint: "export default defineContainer('name')… or an array of containers",
      location: { file: entry, line: 1, column: 1 },
    });
  }
  const { plan, locations, issues, observed, untracked } = evaluated;
  if (issues.length > 0) {
    const first = issues[0]!;
    throw new DefinitionError(
      'E_INVALID',
      issues.length === 1 ? first.message : `${issues.length} problems in ${path.basename(entry)}`,
      { issues, ...(first.hint ? { hint: first.hint } : {}), ...(first.location ? { location: first.location } : {}) },
    );
  }
  // A definition that did something the recording cannot re-check (wrote a file, ran a program, listed the
  // whole environment) is evaluated on every run: a cached plan must be exactly what a new evaluation gives.
  const inputs = [...bundle.inputs, ...imageRecordInputs(plan)];
  const cached = useCache && untracked === undefined && writeCachedPlan(entry, HACO_VERSION, inputs, plan, locations, observed);
  // An ordinary user's plan: haco's paths under their data root, a user namespace of its own (docs/rootless.md).
  return { file: entry, plan: planForThisUser(plan), locations, fromCache: false, ...(cached ? { observed: [...cached, ...observed] } : {}) };
}
