import type { Plan } from '../plan/types';

/** A definition file, evaluated: what `load()` returns and what `create()`/`start()` accept. */
export interface Definition {
  /** Absolute path of the .haco.ts file. */
  file: string;
  /** The validated plan (docs/plan.md). */
  plan: Plan;
  /** Names of the containers it defines, in order. */
  containers: string[];
}

/** A definition, or the path of a .haco.ts file (loaded on the way). */
export type DefinitionInput = Definition | string;

/** One step of `create()`'s progress (the events `haco create --json` prints). */
export interface ProgressEvent {
  container: string;
  kind: 'begin' | 'output' | 'end' | 'warning';
  /** `bootstrap.busybox`, `provision.apt`… (empty for warnings). */
  phase: string;
  /** A line of output, a warning, or the outcome of an `end` (`ok`, `skipped`, `failed`). */
  text: string;
}

export interface CreateOptions {
  /** Only this container of the file (default: all, bases before the containers layered on them). */
  container?: string;
  /** Rebuild an existing rootfs (the old one is replaced only on success). */
  force?: boolean;
  /** Run the provision steps after bootstrap (default true). */
  provision?: boolean;
  /** Progress; default: nothing is printed. */
  onProgress?: (event: ProgressEvent) => void;
}

export interface CreateResult {
  container: string;
  rootfs: string;
  /** `created`, `kept` (existed; not rebuilt), `existing` (a directory() rootfs), `layers` (overlay dirs). */
  outcome: 'created' | 'kept' | 'existing' | 'layers';
  /** Provision steps that ran / were unchanged and skipped. */
  provisioned: string[];
  unchanged: string[];
  ms: number;
}

export interface StartOptions {
  /** Which container of the file (needed when it defines several). */
  container?: string;
  /** Replaces the container's command. */
  command?: string[];
  /**
   * `true` (default): run in the background and resolve with a handle once the command started, like
   * `haco start -d`. `false`: run to the end and resolve with its exit code and output.
   */
  detach?: boolean;
}

/** A command's end: its exit status (128+N when killed by signal N) and everything it printed. */
export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** What a detached container printed so far (`haco logs`). */
export interface Logs {
  stdout: string;
  stderr: string;
}

export interface StopOptions {
  /** Signal sent first (name or number; default TERM). */
  signal?: string | number;
  /** Milliseconds before SIGKILL (default 10 000). */
  timeoutMs?: number;
}

export interface StopResult {
  /** The container's exit status as its supervisor recorded it (undefined if it could not tell). */
  exitCode: number | undefined;
  /** It had to be SIGKILLed after the timeout. */
  escalated: boolean;
}

/** What `haco ps` knows about one container. */
export interface ContainerStatus {
  status: 'starting' | 'running' | 'restarting' | 'exited' | 'stale';
  /** The init's host pid. */
  pid: number;
  exitCode: number | undefined;
  restarts: number;
}
