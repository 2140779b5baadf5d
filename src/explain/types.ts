/** The structured result of `haco explain` (`--json` prints it as is). */

/** When a step happens: before the first start, on the host around clone, inside the child, or after. */
export type ExplainPhase = 'create' | 'host' | 'clone' | 'inside' | 'exec' | 'after';

/** One step of the launch, in the order the launcher performs it. */
export interface ExplainStep {
  /** Stable identifier (`cgroup`, `clone`, `pivot-root`, …) for tests and tools. */
  id: string;
  phase: ExplainPhase;
  title: string;
  /** What happens and why, one sentence a line. */
  lines: string[];
  /** The system calls or files involved, as a learner would look them up in man pages. */
  kernel: string[];
  /** Commands that make the effect visible (inside the container unless they say "on the host"). */
  seeIt: string[];
}

/** One row of the shared-versus-isolated table. */
export interface SharingRow {
  /** What is shared or isolated, e.g. `processes (pid namespace)`. */
  what: string;
  status: 'isolated' | 'shared' | 'joined' | 'limited' | 'partly shared';
  detail: string;
  seeIt: string;
}

export interface ContainerExplanation {
  name: string;
  steps: ExplainStep[];
  sharing: SharingRow[];
}
