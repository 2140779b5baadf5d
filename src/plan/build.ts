import type { SourceLocation } from '../errors';
import { DRAFT_OF, isDraftSource, type ContainerDraft } from './draft';
import { applyImageRecord, type ImageRecord } from './image-defaults';
import { resolveCapabilities } from './capabilities';
import { resolveSeccomp } from './seccomp-default';
import { PLAN_API_VERSION, type ContainerPlan, type Plan } from './types';
import { validatePlanSchemaDetailed, type SchemaError } from './schema';
import { validatePlan, type PlanIssue } from './validate';

/** A plan issue with the place in the definition that caused it. */
export interface LocatedIssue extends PlanIssue {
  containerName: string | undefined;
  location: SourceLocation | undefined;
}

/** Where each container's fields were written: container index → plan path → location. */
export type PlanLocations = Array<Record<string, SourceLocation>>;

export interface BuiltPlan {
  plan: Plan;
  locations: PlanLocations;
  issues: LocatedIssue[];
}

/**
 * Turn what a definition file exported into a plan. Collects every problem (recorded at DSL call time,
 * found while resolving capabilities, or by the semantic checks) instead of stopping at the first, so
 * the user fixes them in one go.
 */
export interface BuildOptions {
  /**
   * The pin of an image bootstrap (`haco create` wrote it; src/image/record.ts reads it). The loader passes
   * it; a plan rebuilt from a plan (toggles) already holds the image's values and needs none.
   */
  imageRecord?: (container: string) => ImageRecord | undefined;
}

export function buildPlan(source: string, exported: unknown, options: BuildOptions = {}): BuiltPlan | { notContainers: string } {
  const items = Array.isArray(exported) ? exported : [exported];
  if (items.length === 0) return { notContainers: 'the default export is an empty array' };
  const drafts: ContainerDraft[] = [];
  for (const [i, item] of items.entries()) {
    if (!isDraftSource(item)) {
      const what = item === undefined ? 'undefined' : item === null ? 'null' : typeof item === 'object' ? 'an object' : typeof item;
      return { notContainers: `${Array.isArray(exported) ? `item ${i} of the default export` : 'the default export'} is ${what}, not a container` };
    }
    drafts.push(item[DRAFT_OF]());
  }
  return planFromDrafts(source, drafts, options);
}

/**
 * Drafts (what definitions recorded) → a plan: capabilities and seccomp resolved, every issue collected.
 * The single way a plan is made: from a definition file, and from a plan edited by command-line toggles
 * (src/dsl/toggles.ts replays them as DSL calls on a draft of the plan).
 */
export function planFromDrafts(source: string, drafts: ContainerDraft[], options: BuildOptions = {}): BuiltPlan {
  const issues: PlanIssue[] = [];
  const containers: ContainerPlan[] = drafts.map((draft, index) => {
    for (const issue of draft.issues) issues.push({ container: index, ...issue });
    // Before the capabilities: an image's User decides whether a non-root init keeps any.
    if (draft.plan.bootstrap.strategy === 'image' && options.imageRecord) applyImageRecord(draft, options.imageRecord(draft.plan.name));
    const { plan: capabilities, problems } = resolveCapabilities(draft.capabilities, draft.plan.process.user.uid);
    for (const p of problems) issues.push({ container: index, path: 'capabilities', message: p.message, ...(p.hint ? { hint: p.hint } : {}) });
    // The default profile allows what the final capabilities need, so it is resolved after them.
    const seccomp = resolveSeccomp(draft.seccomp, capabilities.bounding);
    return { ...draft.plan, capabilities, ...(seccomp ? { seccomp } : {}) };
  });
  const plan: Plan = { apiVersion: PLAN_API_VERSION, source, containers };
  // Schema first: the semantic checks rely on the types (a `.rootfs(123 as any)` must be reported as a
  // wrong type at its call, not crash a check that calls .startsWith on it).
  // Only a wrong *value* (a range, a pattern, an unknown name) lets them run, and then their more
  // specific message for a field replaces the schema's.
  const schemaErrors = validatePlanSchemaDetailed(plan);
  const schemaIssues = schemaErrors.map(schemaIssue);
  if (schemaErrors.some((e) => e.shape)) issues.push(...schemaIssues);
  else {
    const semantic = validatePlan(plan);
    const covered = (i: PlanIssue) => semantic.some((s) => s.container === i.container && (i.path === s.path || i.path.startsWith(`${s.path}.`) || i.path.startsWith(`${s.path}[`)));
    issues.push(...semantic, ...schemaIssues.filter((i) => !covered(i)));
  }
  const locations = drafts.map((d) => d.locations);
  return {
    plan,
    locations,
    issues: issues.map((issue) => ({
      ...issue,
      containerName: issue.container === undefined ? undefined : containers[issue.container]?.name,
      location: issue.container === undefined ? undefined : locate(locations[issue.container] ?? {}, issue.path),
    })),
  };
}

/** The most specific recorded location for a path: `mounts[2].target` → `mounts[2]` → `mounts` → `name`. */
export function locate(locations: Record<string, SourceLocation>, path: string): SourceLocation | undefined {
  let key = path;
  while (key) {
    const hit = locations[key];
    if (hit) return hit;
    const cut = Math.max(key.lastIndexOf('.'), key.lastIndexOf('['));
    key = cut > 0 ? key.slice(0, cut) : '';
  }
  return locations['name'];
}

/**
 * A schema error as a plan issue: `/containers/0/rootfs/path: must be string` → container 0, path
 * `rootfs.path`, so it is reported at the DSL call that wrote the field.
 */
function schemaIssue({ instancePath, message }: SchemaError): PlanIssue {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (parts[0] !== 'containers' || parts[1] === undefined) return { container: undefined, path: instancePath || '/', message: `${instancePath || 'the plan'} ${message}` };
  const path = parts.slice(2).reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
  return {
    container: Number(parts[1]),
    path: path || 'name',
    message: `${path || 'the container'} ${message}`,
    hint: 'a value of the wrong type or out of range reached the plan (check values passed with `as any` or computed at run time)',
  };
}
