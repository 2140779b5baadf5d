import type { ShellStep } from '../plan/types';
import { runStreamed } from '../progress/run-streamed';
import type { BootstrapContext } from './context';
import { BootstrapError } from './errors';

/**
 * Runs a script on the host with `sh -e` and `$ROOTFS` = the temporary tree (not yet the final path:
 * a script that fails leaves nothing behind). Used by the `shell` strategy and by `post` steps.
 */
export async function runHostScript(phase: string, script: string, ctx: BootstrapContext): Promise<void> {
  const result = await runStreamed('/bin/sh', ['-e', '-c', script], {
    reporter: ctx.reporter,
    container: ctx.container.name,
    phase,
    cwd: ctx.baseDir,
    env: { ROOTFS: ctx.work.dir, HACO_CONTAINER: ctx.container.name },
    signal: ctx.work.signal,
  });
  if (result.cancelled) return;
  if (result.exitCode !== 0) {
    throw new BootstrapError('E_SCRIPT_FAILED', `${phase} failed with exit code ${result.exitCode}; the partial rootfs was removed`, result.tail.slice(-3).join('\n') || undefined);
  }
}

/** `shell`: your own commands fill $ROOTFS. */
export async function bootstrapShell(script: string, ctx: BootstrapContext): Promise<void> {
  await runHostScript('bootstrap.shell', script, ctx);
}

/** `post` steps, in order, on the host. */
export async function runPostSteps(steps: readonly ShellStep[], ctx: BootstrapContext): Promise<void> {
  for (const step of steps) {
    if (ctx.work.signal.aborted) return;
    const phase = `post.${step.name}`;
    const started = Date.now();
    ctx.reporter.begin(ctx.container.name, phase);
    await runHostScript(phase, step.script, ctx);
    ctx.reporter.end(ctx.container.name, phase, 'ok', Date.now() - started);
  }
}
