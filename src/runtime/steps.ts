/**
 * The launch spec's step table: the one place that says which steps exist, where each may appear, how
 * many fields it takes and which part of the native launcher carries it out (docs/launch-spec.md).
 *
 * - The compiler's `StepName` type comes from it, so a typo in TS is a type error, not a launch failure.
 * - native/src/steps.gen.h (the launcher's table) is generated from it: `node scripts/gen-steps.mjs`
 *   (`--check` fails when the header is stale; a unit test runs it).
 * - `haco explain` gives every step a prose entry (src/explain/prose.ts, keyed by this table's names).
 *
 * Adding a step: a row here, the C function (named in `run`) in native/src, `node scripts/gen-steps.mjs`,
 * a row in docs/launch-spec.md, and its prose in src/explain/prose.ts. test/unit/runtime/step-table.test.ts
 * checks each of those. This file is data only (no imports): the generator evaluates it without a bundler.
 */

/**
 * Where a step may stand: `meta` anywhere before `spawn` (read before anything runs), one of the phases, or
 * `host` in a host-only spec (no container: `haco reload`, the stale-cgroup sweep; docs/launch-spec.md).
 */
export type StepPhase = 'meta' | 'prepare' | 'wire' | 'enter' | 'host';

export interface StepDef {
  name: string;
  phases: readonly StepPhase[];
  /**
   * The fields after the name, as docs/launch-spec.md writes them: one word a field, `[X]` an optional
   * last field, `X...` one or more. The launcher's field-count check is derived from this.
   */
  fields: string;
  /**
   * Who performs it: `step_*` is the launcher function called when the step's turn comes; any other
   * name is the launcher function that reads the step (metadata and the phase markers).
   */
  run: string;
}

export const STEP_TABLE = [
  // metadata: read before the first system call, acted on by the functions named
  { name: 'name', phases: ['meta', 'host'], fields: 'NAME', run: 'read_metadata' },
  { name: 'hint', phases: ['meta', 'host'], fields: 'STEP ERRNO TEXT', run: 'report_failure' },
  { name: 'cleanup-cgroup', phases: ['meta'], fields: 'PATH', run: 'cleanup' },
  { name: 'cleanup-cgroup-parent', phases: ['meta', 'host'], fields: 'PATH', run: 'cgroup_remove_parents' },
  { name: 'report-oom', phases: ['meta'], fields: 'FILE', run: 'cgroup_report_oom' },
  { name: 'cleanup-cmd', phases: ['meta'], fields: 'ARGV...', run: 'cleanup' },
  { name: 'failure-cmd', phases: ['meta'], fields: 'ARGV...', run: 'failure_cmds' },
  { name: 'host-dir', phases: ['meta'], fields: 'PATH MODE', run: 'host_dirs' },
  { name: 'state-dir', phases: ['meta'], fields: 'PATH keep|remove MODE', run: 'read_metadata' },
  { name: 'state-file', phases: ['meta'], fields: 'NAME CONTENT', run: 'state_files' },
  { name: 'state-meta', phases: ['meta'], fields: 'KEY VALUE', run: 'state_write' },
  { name: 'restart', phases: ['meta'], fields: 'POLICY MAX BACKOFF_MS', run: 'read_metadata' },
  { name: 'hook-env', phases: ['meta'], fields: 'KEY VALUE', run: 'run_command_status' },
  { name: 'forward-signals', phases: ['meta'], fields: 'LIST', run: 'read_metadata' },
  // supervision (native/src/hooks.c, events.c): the hook time limit, points the supervisor runs, its event process
  { name: 'hook-timeout', phases: ['meta'], fields: 'MS', run: 'read_metadata' },
  { name: 'point-cmd', phases: ['meta'], fields: 'POINT ARGV...', run: 'hooks_run_point' },
  { name: 'timer', phases: ['meta'], fields: 'INTERVAL_MS COUNT ARGV...', run: 'watch_open' },
  { name: 'ready-port', phases: ['meta'], fields: 'PORT TIMEOUT_MS INTERVAL_MS', run: 'watch_open' },
  { name: 'ready-cmd', phases: ['meta'], fields: 'TIMEOUT_MS INTERVAL_MS ARGV...', run: 'watch_open' },
  { name: 'on-oom', phases: ['meta'], fields: 'v1|v2 DIR ARGV...', run: 'watch_open' },
  { name: 'on-pressure', phases: ['meta'], fields: 'v1|v2 DIR LEVEL ARGV...', run: 'watch_open' },
  { name: 'on-signal', phases: ['meta'], fields: 'SIGNAL ARGV...', run: 'watch_open' },
  { name: 'log', phases: ['meta'], fields: 'PATH MAXBYTES', run: 'read_metadata' },
  { name: 'console', phases: ['meta'], fields: 'PATH', run: 'read_metadata' },
  { name: 'console-socket', phases: ['meta'], fields: 'PATH', run: 'pty_send_console' },
  { name: 'preserve-fds', phases: ['meta'], fields: 'N', run: 'read_metadata' },
  { name: 'supervisor-exits', phases: ['meta'], fields: '', run: 'read_metadata' },
  // phase 1: prepare, on the host
  { name: 'cgroup-lock', phases: ['prepare', 'host'], fields: 'PATH TIMEOUT_MS', run: 'step_cgroup_lock' },
  { name: 'cgroup-mkdir', phases: ['prepare'], fields: 'PATH', run: 'step_cgroup_mkdir' },
  { name: 'cgroup-write', phases: ['prepare', 'host'], fields: 'PATH VALUE', run: 'step_cgroup_write' },
  { name: 'cgroup-devices', phases: ['prepare', 'host'], fields: 'PATH RULES', run: 'step_cgroup_devices' },
  { name: 'stdio', phases: ['prepare', 'enter'], fields: 'FD host|container PATH MODE [PERM]', run: 'step_stdio' },
  { name: 'setns', phases: ['prepare', 'enter'], fields: 'KIND PATH', run: 'step_setns' },
  { name: 'unshare', phases: ['prepare', 'enter'], fields: 'KINDS', run: 'step_unshare' },
  { name: 'timens-offset', phases: ['prepare'], fields: 'CLOCK SECONDS', run: 'step_timens_offset' },
  { name: 'start-fifo', phases: ['prepare'], fields: 'FIFO', run: 'step_start_fifo' },
  { name: 'hook', phases: ['prepare', 'wire', 'enter'], fields: 'ARGV...', run: 'step_hook' },
  { name: 'hook-at', phases: ['prepare', 'wire', 'enter'], fields: 'POINT ARGV...', run: 'step_hook_at' },
  // cgroup v1: the child is born in PATH: the launcher moves itself there, clones it, and returns to its own
  // cgroup of that hierarchy (mounted at MOUNT; CONTROLLER names its /proc/self/cgroup line)
  { name: 'spawn-cgroup', phases: ['prepare'], fields: 'PATH MOUNT CONTROLLER', run: 'cgroup_move_in' },
  // the end of phase 1: validate finds it, launch_once clones there
  { name: 'spawn', phases: ['prepare'], fields: 'KINDS [CGROUP]', run: 'validate' },
  // phase 2: wire, in the parent, while the child waits
  { name: 'setgroups', phases: ['wire'], fields: 'allow|deny', run: 'step_setgroups' },
  { name: 'uid-map', phases: ['wire'], fields: 'LINES', run: 'step_uid_map' },
  { name: 'gid-map', phases: ['wire'], fields: 'LINES', run: 'step_gid_map' },
  // rootless with subordinate ids: newuidmap/newgidmap PID INSIDE OUTSIDE COUNT... (setuid helpers)
  { name: 'id-map-helper', phases: ['wire'], fields: 'HELPER LINES', run: 'step_id_map_helper' },
  { name: 'cgroup-join', phases: ['wire'], fields: 'PATH', run: 'step_cgroup_join' },
  { name: 'persist-ns', phases: ['wire'], fields: 'KIND PATH', run: 'step_persist_ns' },
  // a program next to the container for as long as it runs (slirp4netns, pasta): ready on FD, stopped after the run
  { name: 'idmap-mount', phases: ['wire'], fields: 'PATH', run: 'step_idmap_mount' },
  { name: 'helper', phases: ['wire'], fields: 'FD ARGV...', run: 'step_helper' },
  // a layered rootfs through fuse-overlayfs: the daemon mounts PATH in the container's namespaces, runs as long as the run
  { name: 'fuse-overlay', phases: ['wire'], fields: 'PATH ARGV...', run: 'step_fuse_overlay' },
  { name: 'oom-score-adj', phases: ['wire'], fields: 'VALUE', run: 'step_oom_score_adj' },
  // the end of phase 2: launch_once writes the sync pipe there
  { name: 'release', phases: ['wire'], fields: '', run: 'validate' },
  // phase 3: enter, in the child
  { name: 'propagation', phases: ['enter'], fields: 'PATH MODE', run: 'step_propagation' },
  { name: 'bind-root', phases: ['enter'], fields: 'PATH', run: 'step_bind_root' },
  { name: 'overlay-root', phases: ['enter'], fields: 'LOWER UPPER WORK PATH [OPTIONS]', run: 'step_overlay_root' },
  { name: 'fuse-root', phases: ['enter'], fields: 'PATH', run: 'step_fuse_root' },
  { name: 'mount', phases: ['enter'], fields: 'SOURCE TARGET FSTYPE FLAGS DATA', run: 'step_mount' },
  { name: 'bind', phases: ['enter'], fields: 'SOURCE TARGET FLAGS', run: 'step_bind' },
  { name: 'mknod-bind', phases: ['enter'], fields: 'DEVNAME TARGET', run: 'step_mknod_bind' },
  { name: 'mknod', phases: ['enter'], fields: 'PATH TYPE MAJOR MINOR MODE UID GID', run: 'step_mknod' },
  { name: 'symlink', phases: ['enter'], fields: 'LINKTARGET PATH', run: 'step_symlink' },
  { name: 'hostname', phases: ['enter'], fields: 'NAME', run: 'step_hostname' },
  { name: 'pivot-root', phases: ['enter'], fields: 'PATH', run: 'step_pivot_root' },
  { name: 'chroot', phases: ['enter'], fields: 'PATH', run: 'step_chroot' },
  { name: 'remount-root-ro', phases: ['enter'], fields: '', run: 'step_remount_root_ro' },
  { name: 'mask', phases: ['enter'], fields: 'PATH', run: 'step_mask' },
  { name: 'readonly', phases: ['enter'], fields: 'PATH', run: 'step_readonly' },
  { name: 'lo-up', phases: ['enter'], fields: '', run: 'step_lo_up' },
  { name: 'rlimit', phases: ['enter'], fields: 'NAME SOFT HARD', run: 'step_rlimit' },
  { name: 'setsid', phases: ['enter'], fields: '', run: 'step_setsid' },
  { name: 'pty', phases: ['enter'], fields: 'PTMX UID GID stdin|no-stdin', run: 'step_pty' },
  { name: 'no-new-privs', phases: ['enter'], fields: '', run: 'step_no_new_privs' },
  { name: 'user', phases: ['enter'], fields: 'UID GID GROUPS', run: 'step_user' },
  { name: 'caps', phases: ['enter'], fields: 'BOUNDING EFFECTIVE PERMITTED INHERITABLE AMBIENT', run: 'step_caps' },
  { name: 'seccomp', phases: ['enter'], fields: 'DEFAULT-ACTION', run: 'step_seccomp' },
  { name: 'seccomp-rule', phases: ['enter'], fields: 'ACTION SYSCALL ARGS [optional]', run: 'step_seccomp_rule' },
  { name: 'seccomp-load', phases: ['enter'], fields: '', run: 'step_seccomp_load' },
  { name: 'seccomp-prepared', phases: ['prepare'], fields: 'FILE', run: 'step_seccomp_prepared' },
  { name: 'chdir', phases: ['enter'], fields: 'PATH', run: 'step_chdir' },
  { name: 'env-clear', phases: ['enter'], fields: '', run: 'step_env_clear' },
  { name: 'env', phases: ['enter'], fields: 'KEY VALUE', run: 'step_env' },
  { name: 'apparmor-exec', phases: ['enter'], fields: 'PROFILE', run: 'step_apparmor_exec' },
  { name: 'reaper', phases: ['enter'], fields: '', run: 'step_reaper' },
  // OCI "created" (haco runtime create): the child reports it, then reads the start-fifo until `start`
  { name: 'wait-start', phases: ['enter'], fields: '', run: 'step_wait_start' },
  { name: 'exec', phases: ['enter'], fields: 'ARGV...', run: 'step_exec' },
  // host-only specs (haco reload, the stale-cgroup sweep): no container, run in order on the host
  { name: 'host-only', phases: ['host'], fields: '', run: 'host_only' },
  { name: 'cgroup-rmdir', phases: ['host'], fields: 'PATH', run: 'step_cgroup_rmdir' },
  { name: 'prlimit', phases: ['host'], fields: 'PID NAME SOFT HARD [optional]', run: 'step_prlimit' },
] as const satisfies readonly StepDef[];

export type StepName = (typeof STEP_TABLE)[number]['name'];

/** Every step name, in table order. */
export const STEP_NAMES: readonly StepName[] = STEP_TABLE.map((s) => s.name);

/** How many fields a step takes, from its `fields` text: `[X]` is optional, `X...` is one or more. */
export function fieldCount(fields: string): { min: number; max: number | 'any' } {
  const words = fields.split(' ').filter(Boolean);
  const optional = words.filter((w) => w.startsWith('[') && w.endsWith(']')).length;
  const variadic = words.some((w) => w.endsWith('...'));
  return { min: words.length - optional, max: variadic ? 'any' : words.length };
}
