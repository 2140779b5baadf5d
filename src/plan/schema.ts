import type { Plan } from './types';

type GeneratedValidator = ((data: unknown) => boolean) & {
  errors?: Array<{ instancePath: string; schemaPath?: string; keyword: string; message?: string; params?: Record<string, unknown> }> | null;
};

/** One schema error: where (a JSON pointer), what, and whether the value has the wrong shape. */
export interface SchemaError {
  instancePath: string;
  message: string;
  /**
   * True for a wrong type, a missing or unknown property: checks that assume the plan's types cannot
   * run. False for a wrong value of the right type (a range, a pattern, an unknown name).
   */
  shape: boolean;
}

const SHAPE_KEYWORDS = new Set(['type', 'required', 'additionalProperties', 'propertyNames']);

/**
 * The schema errors of a plan, readable: for a union (`number | 'max'`) only the branch whose type
 * matched is reported ("must be <= 4194304", not also "must be string" and "must match anyOf").
 */
export function validatePlanSchemaDetailed(plan: unknown): SchemaError[] {
  const validate = require('./generated/schema-validator.js') as GeneratedValidator;
  if (validate(plan)) return [];
  const errors = validate.errors ?? [];
  const noise = (keyword: string) => SHAPE_KEYWORDS.has(keyword) || keyword === 'const' || keyword === 'enum' || keyword === 'anyOf';
  // A union whose type matched one branch but whose value failed there: only that failure counts.
  const valueFailed = new Set(errors.filter((e) => !noise(e.keyword)).map((e) => e.instancePath));
  const unions = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const result: SchemaError[] = [];
  for (const e of errors) {
    if (unions.has(e.instancePath) && valueFailed.has(e.instancePath) && noise(e.keyword)) continue;
    let message = e.message ?? 'is invalid';
    const params = e.params ?? {};
    if (Array.isArray(params['allowedValues'])) message += ` (${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`;
    if (typeof params['additionalProperty'] === 'string') message += ` ("${params['additionalProperty']}")`;
    result.push({ instancePath: e.instancePath, message, shape: SHAPE_KEYWORDS.has(e.keyword) || e.keyword === 'anyOf' });
  }
  return result;
}

/**
 * Validates a plan against schema/plan.schema.json with the precompiled validator generated from the
 * types. Returns readable messages (`/containers/0/process/args: must NOT have fewer than 1 items`).
 */
export function validatePlanSchema(plan: unknown): string[] {
  const validate = require('./generated/schema-validator.js') as GeneratedValidator;
  if (validate(plan)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'is invalid'}`);
}

export function isPlan(value: unknown): value is Plan {
  return validatePlanSchema(value).length === 0;
}
