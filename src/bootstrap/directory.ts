import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DirectoryBootstrap } from '../plan/types';
import { runStreamed } from '../progress/run-streamed';
import type { BootstrapContext } from './context';
import { BootstrapError, RootfsStateError } from './errors';

/**
 * `directory` with a source: a full copy with `cp -a` (owners, modes, links, xattrs, hard links)
 * staying on the source's filesystem (`--one-file-system`), so copying `/srv/tree` never descends into
 * something mounted below it. (Without a source there is nothing to build: see create.ts.)
 */
export async function bootstrapDirectory(plan: DirectoryBootstrap & { source: string }, ctx: BootstrapContext): Promise<void> {
  const source = path.resolve(ctx.baseDir, plan.source);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch {
    throw new RootfsStateError('E_NO_SOURCE', `${source}: no such directory`, 'bootstrap.directory(source) copies an existing tree');
  }
  if (!stat.isDirectory()) throw new RootfsStateError('E_NO_SOURCE', `${source} is not a directory`);
  const target = path.resolve(ctx.container.rootfs.path);
  if (target === source || target.startsWith(`${source}/`)) {
    throw new BootstrapError('E_COPY_INTO_ITSELF', `the rootfs ${target} is inside the source ${source}`, 'copy from a tree that does not contain the rootfs');
  }
  const result = await runStreamed('cp', ['-a', '--one-file-system', '--reflink=auto', `${source}/.`, `${ctx.work.dir}/`], {
    reporter: ctx.reporter,
    container: ctx.container.name,
    phase: 'bootstrap.directory',
    signal: ctx.work.signal,
  });
  if (result.cancelled) return;
  if (result.exitCode !== 0) throw new BootstrapError('E_COPY', `copying ${source} failed (cp exit ${result.exitCode})`, result.tail.slice(-3).join('\n') || undefined);
}
