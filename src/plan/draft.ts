import type { SourceLocation } from '../errors';
import type { ContainerPlan, SeccompAction, SeccompRule } from './types';

/**
 * A container as a definition described it, before capabilities and seccomp are resolved into the
 * plan's explicit sets. The DSL records one (src/dsl/container.ts); buildPlan turns drafts into a plan.
 * The type lives here, not in the DSL, so that the plan layer never imports the builder.
 */

/** A problem found while recording a DSL call (e.g. a size that does not parse), reported with the rest. */
export interface DraftIssue {
  path: string;
  message: string;
  hint?: string;
}

/** Capabilities as the user described them; resolved into the five sets by resolveCapabilities(). */
export interface CapabilityDraft {
  base: 'default' | 'all' | 'none';
  add: string[];
  drop: string[];
  ambient: string[];
}

/** A filter as the definition describes it; resolved into plan rules by src/plan/seccomp-default.ts. */
export interface SeccompDraft {
  /** `default`: haco's default profile plus these rules; `none`: these rules only. */
  base: 'default' | 'none';
  /** The definition's default action, when it chose one (else EPERM on the profile, allow on `none`). */
  action?: SeccompAction;
  rules: SeccompRule[];
}

/** The recorded state of a definition. */
export interface ContainerDraft {
  plan: Omit<ContainerPlan, 'capabilities' | 'seccomp'>;
  capabilities: CapabilityDraft;
  /** Resolved with the final capabilities (src/plan/seccomp-default.ts); false = no filter. */
  seccomp: SeccompDraft | false;
  /** Set when the user chose a hostname (a default one is not checked against the uts namespace). */
  hostnameExplicit: boolean;
  /**
   * The process fields the definition set itself: an image bootstrap's config fills only the others
   * (src/plan/image-defaults.ts). `env` lists the variable names; `envReplaced` is `.env(…, { replace: true })`.
   */
  processSet: { args: boolean; cwd: boolean; user: boolean; env: string[]; envReplaced: boolean };
  /** Set when the user chose vethHost; a default one follows the name (extend()). */
  vethHostExplicit?: boolean;
  /** Plan path (e.g. `mounts[2]`, `cgroup.resources.memory`) → where the user wrote it. */
  locations: Record<string, SourceLocation>;
  issues: DraftIssue[];
}

/**
 * The method a container definition answers with its draft. buildPlan recognises a definition by it
 * (rather than by `instanceof` the builder class), which keeps this layer free of the DSL.
 */
export const DRAFT_OF = Symbol.for('haco.containerDraft');

/** Something buildPlan accepts as a container: the DSL's ContainerBuilder. */
export interface DraftSource {
  [DRAFT_OF](): ContainerDraft;
}

export function isDraftSource(value: unknown): value is DraftSource {
  return typeof value === 'object' && value !== null && typeof (value as Partial<DraftSource>)[DRAFT_OF] === 'function';
}
