import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TarballBootstrap } from '../plan/types';
import { runStreamed } from '../progress/run-streamed';
import { detectCompression, tarCompressionFlag } from './compression';
import type { BootstrapContext } from './context';
import { BootstrapError, RootfsStateError } from './errors';
import { listArchive } from './tar-list';
import { findTarProblems } from './tar-listing';
import { requireTool } from '../host/tools';
import { asContainerRoot } from '../rootless/userns-command';

/**
 * GNU tar options for unpacking a rootfs as root: keep owners by number (the host's /etc/passwd
 * must not rename uids), permissions, xattrs (file capabilities such as ping's cap_net_raw) and
 * ACLs; never strip-and-accept absolute names (they were refused before), and never follow a
 * symlink the archive made (`--no-overwrite-dir` and GNU tar's delayed symlinks cover the rest).
 */
export const TAR_EXTRACT_OPTIONS = [
  '--extract',
  '--same-owner',
  '--numeric-owner',
  '--preserve-permissions',
  '--xattrs',
  '--xattrs-include=*',
  '--acls',
  '--no-overwrite-dir',
  '--delay-directory-restore',
];

/**
 * `tarball`: imports a rootfs archive (`docker export` output, `haco archive` output, a distro's
 * rootfs tarball). The listing is checked first and an archive with any entry that could land
 * outside the rootfs is refused whole, before a single byte is written.
 */
export async function bootstrapTarball(plan: TarballBootstrap, ctx: BootstrapContext): Promise<void> {
  const archive = path.resolve(ctx.baseDir, plan.archive);
  if (!fs.existsSync(archive)) {
    throw new RootfsStateError('E_NO_ARCHIVE', `${archive}: no such file`, 'make one with `haco archive other.haco.ts -o rootfs.tar.gz` or `docker export CONTAINER > rootfs.tar`');
  }
  requireTool('tar');
  const phase = 'bootstrap.tarball';
  const entries = await listArchive(archive);
  const problems = findTarProblems(entries);
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).map((p) => `  ${JSON.stringify(p.entry)}: ${p.reason}`);
    if (problems.length > 5) shown.push(`  … and ${problems.length - 5} more`);
    throw new BootstrapError(
      'E_TAR_UNSAFE',
      `${path.basename(archive)} has ${problems.length} unsafe entr${problems.length === 1 ? 'y' : 'ies'}; nothing was extracted:\n${shown.join('\n')}`,
      'a rootfs archive must only hold relative paths inside the tree (create it with `tar -C rootfs -cf out.tar .`)',
    );
  }
  ctx.reporter.line(ctx.container.name, phase, `${entries.length} entries checked, extracting`);
  const compression = detectCompression(archive);
  // Rootless: tar runs as the user namespace's root, so the archive's owners land in the user's map (uid 0
  // → the user, 1… → their subordinate ids). With a single-id map only root exists there: every file is
  // the user's (said, not hidden), as chown to an unmapped id would fail.
  const tar = asContainerRoot(['tar', ...TAR_EXTRACT_OPTIONS, ...tarCompressionFlag(compression), '-f', archive, '-C', ctx.work.dir]);
  if (tar.identity && !tar.identity.fullRange) {
    tar.args = tar.args.map((a) => (a === '--same-owner' ? '--no-same-owner' : a));
    ctx.reporter.warn(ctx.container.name, `rootless without subordinate ids (${tar.identity.singleReason}): every file of the archive is owned by root inside, whatever the archive says`);
  }
  const result = await runStreamed(tar.command, tar.args, {
    reporter: ctx.reporter,
    container: ctx.container.name,
    phase,
    env: { LC_ALL: 'C' },
    signal: ctx.work.signal,
  });
  if (result.cancelled) return;
  if (result.exitCode !== 0) {
    throw new BootstrapError('E_TAR_EXTRACT', `extracting ${archive} failed (tar exit ${result.exitCode})`, result.tail.slice(-3).join('\n') || undefined);
  }
  // `docker export` leaves /.dockerenv; it tells programs they run under Docker, which they do not.
  fs.rmSync(path.join(ctx.work.dir, '.dockerenv'), { force: true });
}
