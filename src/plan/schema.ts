import type { Plan } from './types';

type GeneratedValidator = ((data: unknown) => boolean) & {
  errors?: Array<{ instancePath: string; message?: string }> | null;
};

/**
 * Validates a plan against schema/plan.schema.json with the precompiled validator generated from the
 * types. Returns readable messages (`/containers/0/process/args: must NOT have fewer than 1 items`).
 */
export function validatePlanSchema(plan: unknown): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validate = require('./schema-validator.generated.js') as GeneratedValidator;
  if (validate(plan)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'is invalid'}`);
}

export function isPlan(value: unknown): value is Plan {
  return validatePlanSchema(value).length === 0;
}
