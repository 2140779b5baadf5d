// Reloadable limits: a detached container whose cgroup limits and rlimits may be changed while it runs.
//
//   sudo haco create examples/reload.haco.ts
//   sudo haco start -d examples/reload.haco.ts          # detached: returns at once
//   cat /sys/fs/cgroup/haco/reloadable/cpu.max           # 20000 100000 (v1: cpu/haco/reloadable/cpu.cfs_quota_us)
//   # edit .cpu('20%') to .cpu('60%') below, then:
//   sudo haco reload examples/reload.haco.ts
//   cat /sys/fs/cgroup/haco/reloadable/cpu.max           # 60000 100000, same PID, no restart
//   haco diff examples/reload.haco.ts --cpu 60%          # what the reload will change
//
// Namespaces, mounts or the command cannot change in a running process: those need a restart.
import { defineContainer } from 'haco';

export default defineContainer('reloadable')
  .bootstrap((b) => b.host())
  .command('while true; do sleep 1; done')
  .daemonize()
  .restart('on-failure', { maxRetries: 3 })
  .cpu('20%')
  .memory('64M')
  .rlimit('nofile', 256)
  .reloadable('cgroup', 'rlimits')
  .hook('afterReload', 'echo "reloaded $HACO_NAME"');
