import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebootstrapBootstrap } from '../plan/types';
import { runStreamed } from '../progress/run-streamed';
import { requireTool } from '../host/tools';
import type { RootlessIdentity } from '../rootless/identity';
import type { BootstrapContext } from './context';
import { BootstrapError, HostError } from './errors';
import { bootstrapTarball } from './tarball';

/** debootstrap's variants in mmdebstrap's words: its `debootstrap` variant is debootstrap's default set. */
const VARIANTS: Record<DebootstrapBootstrap['variant'], string | undefined> = { minbase: 'minbase', buildd: 'buildd', default: 'debootstrap', fakechroot: undefined };

/** mmdebstrap's command line for the plan, writing a tar archive to TARGET (mmdebstrap(1): format from the name). */
export function mmdebstrapArgs(plan: DebootstrapBootstrap, target: string, mirror: string): string[] {
  // --skip=output/dev: no ./dev entries in the archive (its device nodes could not be made unprivileged;
  // haco gives every container a /dev of its own at start).
  const args = ['--mode=unshare', `--variant=${VARIANTS[plan.variant] ?? 'minbase'}`, '--skip=output/dev'];
  if (plan.components.length > 0) args.push(`--components=${plan.components.join(',')}`);
  if (plan.include.length > 0) args.push(`--include=${plan.include.join(',')}`);
  if (plan.arch) args.push(`--architectures=${plan.arch}`);
  args.push(plan.suite, target, mirror);
  return args;
}

/**
 * The `debootstrap` bootstrap for an ordinary user: mmdebstrap's unshare mode (Debian's package made for
 * exactly this) builds the system in a user namespace of its own and writes it as a tar archive, which is
 * then unpacked like a `tarball` bootstrap — as the container's root, with haco's maps. Not mmdebstrap's
 * directory output: mmdebstrap maps its root to the first subordinate id, haco maps root to the user
 * (docs/rootless.md), so a tree written by mmdebstrap would show root's files as uid 1 in the container.
 * The archive lives in the work dir and goes once unpacked. Needs subordinate ids (mmdebstrap does).
 */
export async function bootstrapMmdebstrap(plan: DebootstrapBootstrap, ctx: BootstrapContext, mirror: string, id: RootlessIdentity): Promise<void> {
  if (!id.fullRange) {
    throw new HostError('E_NOT_ROOT', `the debootstrap bootstrap of "${ctx.container.name}" needs root, or subordinate ids for mmdebstrap's unshare mode (${id.singleReason})`, `sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${id.user ?? id.uid}; or sudo haco create`);
  }
  if (plan.variant === 'fakechroot') {
    throw new HostError('E_NOT_ROOT', `the debootstrap variant "fakechroot" of "${ctx.container.name}" has no rootless equivalent`, "use variant 'minbase' (or run haco create as root)");
  }
  requireTool('mmdebstrap');
  const phase = 'bootstrap.mmdebstrap';
  const archive = path.join(ctx.work.dir, '.haco-mmdebstrap.tar');
  ctx.reporter.line(ctx.container.name, phase, `suite ${plan.suite} (${plan.variant}) from ${mirror}, rootless (mmdebstrap --mode=unshare)`);
  const result = await runStreamed('mmdebstrap', mmdebstrapArgs(plan, archive, mirror), {
    reporter: ctx.reporter,
    container: ctx.container.name,
    phase,
    env: { LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' },
    signal: ctx.work.signal,
  });
  if (result.cancelled) return;
  if (result.exitCode !== 0) {
    const lastError = result.tail.filter((l) => /^E:|error/i.test(l)).pop() ?? result.tail.slice(-1)[0] ?? '';
    throw new BootstrapError('E_DEBOOTSTRAP', `mmdebstrap failed (exit ${result.exitCode}): ${lastError}`, `see the [${phase}] lines above`);
  }
  try {
    await bootstrapTarball({ strategy: 'tarball', archive, post: [] }, { ...ctx, baseDir: ctx.work.dir });
  } finally {
    fs.rmSync(archive, { force: true });
  }
  // The mount point of the container's /dev (the archive has none, above).
  fs.mkdirSync(path.join(ctx.work.dir, 'dev'), { recursive: true, mode: 0o755 });
}
