/** The structured result of `haco explain` (`--json` prints it as is). */
import type { StepPhase } from '../runtime/steps';
import type { StepName } from '../runtime/steps';

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
  /** The launch spec lines this step tells (`haco plan --launch` prints them all), unencoded. */
  spec: string[];
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
  /** The host the explanation is for: its cgroup layout decides paths and steps. */
  host: string;
  steps: ExplainStep[];
  sharing: SharingRow[];
  /** Rootless (docs/rootless.md): what this start will not do that the definition asks for. */
  notices?: string[];
}

/** A step of the compiled launch spec, with what the explanation needs to know about its place. */
export interface SpecStepView {
  step: StepName;
  fields: string[];
  /** Where it stands in the spec: `meta` before the spawn for metadata, else the phase it runs in. */
  phase: StepPhase;
  /** For `hook`: which hook point (or the network wiring) it comes from. */
  hookSection?: SectionId;
  /** For `bind`: one of the host bootstrap's read-only binds (part of the rootfs). */
  bootstrapBind?: boolean;
  /** For `bind`: one of lxcfs's files over the container's /proc or /sys one. */
  lxcfsBind?: boolean;
  /** For `lo-up`: the container also has a wired network. */
  wiredNetwork?: boolean;
  /** For `user`: the early switch to a mapped id, before any mount. */
  beforeRootfs?: boolean;
}

/** The sections an explanation is made of, named after what the learner sees happen. */
export type SectionId =
  | 'launcher'
  | 'cgroup'
  | 'devices'
  | 'stdio-host'
  | 'setns'
  | 'time'
  | 'overlay-owner'
  | 'apparmor-load'
  | 'hook-beforeStart'
  | 'clone'
  | 'id-maps'
  | 'cgroup-join'
  | 'rootfs-owner'
  | 'persist'
  | 'oom-score-adj'
  | 'hook-afterSpawn'
  | 'hook-point'
  | 'network'
  | 'release'
  | 'mapped-root'
  | 'cgroupns'
  | 'rootfs'
  | 'mounts'
  | 'lxcfs'
  | 'device-nodes'
  | 'hostname'
  | 'loopback'
  | 'masks'
  | 'pivot-root'
  | 'chroot'
  | 'readonly-root'
  | 'stdio-container'
  | 'rlimits'
  | 'setsid'
  | 'terminal'
  | 'no-new-privs'
  | 'user'
  | 'capabilities'
  | 'seccomp'
  | 'environment'
  | 'hook-beforeExec'
  | 'apparmor'
  | 'reaper'
  | 'seccomp-load'
  | 'exec'
  | 'after';
