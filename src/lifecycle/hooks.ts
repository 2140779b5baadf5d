import { spawnSync } from 'node:child_process';
import type { ContainerPlan, HookPoint } from '../plan/types';

export interface HookFailure {
  command: string[];
  status: number | null;
}

/** Host-side hooks haco runs itself (afterReload), with the same environment the launcher gives its hooks. */
export function runHostHooks(plan: ContainerPlan, point: HookPoint, env: { pid: number; stateDir: string }): HookFailure[] {
  const failures: HookFailure[] = [];
  for (const hook of plan.hooks.filter((h) => h.point === point)) {
    const r = spawnSync(hook.command[0]!, hook.command.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, HACO_NAME: plan.name, HACO_PID: String(env.pid), HACO_ROOTFS: plan.rootfs.path, HACO_STATE_DIR: env.stateDir },
    });
    if (r.status !== 0) failures.push({ command: hook.command, status: r.status });
  }
  return failures;
}
