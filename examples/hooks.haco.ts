// Hooks: commands at the points of a start (haconiwa's list, docs/lifecycle.md), and what the supervisor
// runs while the container runs: a timer, a readiness probe, an OOM handler and a USR1 handler. Every hook
// runs in its own process group, killed after .hookTimeout(), with HACO_NAME, HACO_POINT, HACO_PID (once it
// exists), HACO_ROOTFS and HACO_STATE_DIR set.
//
//   sudo haco create examples/hooks.haco.ts
//   sudo haco start examples/hooks.haco.ts -- echo 'the command'
//       → [setup] hooks, [beforeStart] hooks, [afterSpawn] pid 12345 (a host PID)
//       → [afterChroot] inside: hooks, [beforeExec] inside: hooks     (the container's hostname)
//       → the command, [afterStart] …, [beforeCleanup] hooks, [afterExit] hooks done
//   sudo haco start examples/hooks.haco.ts -- false      # afterFailure runs too
//
//   sudo haco start -d --wait-ready examples/hooks.haco.ts -- sh -c 'sleep 1; touch /tmp/ready; sleep 600'
//       → returns once /tmp/ready exists inside ("hooks ready after 1xxx ms"); `haco ps` says "running, ready"
//   sudo haco kill --supervisor -s USR1 hooks            # the USR1 hook prints the container's memory use
//   sudo haco logs hooks; cat /run/haco/hooks/supervisor.log   # ready, the timer's ticks, the events
//   sudo haco kill hooks && sudo haco rm hooks
import { defineContainer } from 'haco';

export default defineContainer('hooks')
  .bootstrap((b) => b.host())
  .memory({ max: '64M' }) // the memory cgroup .onOom() watches
  .hookTimeout(10_000)
  .hook('setup', 'echo "[setup] $HACO_NAME"')
  .hook('beforeStart', 'echo "[beforeStart] $HACO_NAME"')
  .hook('afterSpawn', 'echo "[afterSpawn] pid $HACO_PID"')
  // Inside the container, after the root switch: the rootfs and hostname are the container's.
  .hook('afterChroot', 'echo "[afterChroot] inside: $(hostname)"')
  .hook('beforeExec', 'echo "[beforeExec] inside: $(hostname)"')
  // Run by the supervisor: once the command runs, and after it exited, before its cgroups go.
  .hook('afterStart', 'echo "[afterStart] pid $HACO_PID"')
  .hook('beforeCleanup', 'echo "[beforeCleanup] $HACO_NAME"')
  .hook('afterExit', 'echo "[afterExit] $HACO_NAME done"')
  .hook('afterFailure', 'echo "[afterFailure] $HACO_NAME failed" >&2')
  .timer(5000, 'echo "[timer] $HACO_NAME: $(cat /proc/$HACO_PID/status | grep VmRSS)"')
  // A host command reaching inside through /proc/PID/root: ready once the container made /tmp/ready.
  .readiness({ command: 'test -e /proc/$HACO_PID/root/tmp/ready' }, { timeoutMs: 30_000 })
  .onOom('echo "[oom] $HACO_NAME lost a process to the OOM killer" >&2')
  .onSignal('USR1', 'echo "[USR1] $HACO_NAME: $(grep VmRSS /proc/$HACO_PID/status)"');
