// Lifecycle hooks: commands run at fixed points of a start. All but beforeExec run on the host, with
// HACO_NAME, HACO_PID (once it exists), HACO_ROOTFS and HACO_STATE_DIR set.
//
//   sudo haco create examples/hooks.haco.ts
//   sudo haco start examples/hooks.haco.ts -- echo 'the command'
//       → [beforeStart] hooks
//       → [afterSpawn] pid 12345 (a host PID)
//       → [beforeExec] inside: hooks     (the container's hostname)
//       → the command
//       → [afterExit] hooks done
//   sudo haco start examples/hooks.haco.ts -- false      # afterFailure runs too
import { defineContainer } from 'haco';

export default defineContainer('hooks')
  .bootstrap((b) => b.host())
  .hook('beforeStart', 'echo "[beforeStart] $HACO_NAME"')
  .hook('afterSpawn', 'echo "[afterSpawn] pid $HACO_PID"')
  // Inside the container, after the root switch: the rootfs and hostname are the container's.
  .hook('beforeExec', 'echo "[beforeExec] inside: $(hostname)"')
  .hook('afterExit', 'echo "[afterExit] $HACO_NAME done"')
  .hook('afterFailure', 'echo "[afterFailure] $HACO_NAME failed" >&2');
