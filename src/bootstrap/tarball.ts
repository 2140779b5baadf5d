import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import type { TarballBootstrap } from '../plan/types';
import { runStreamed } from '../progress/run-streamed';
import { compressorPackage, compressorProgram, detectCompression, tarCompressionFlag } from './compression';
import type { BootstrapContext } from './context';
import { BootstrapError, RootfsStateError } from './errors';
import { findTarProblems, parseListingLine, type TarEntry } from './tar-listing';
import { requireTool } from './tools';

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

/** Lists the archive and returns its entries (throws a BootstrapError if tar cannot read it). */
export async function listArchive(archive: string): Promise<TarEntry[]> {
  const compression = detectCompression(archive);
  const program = compressorProgram(compression);
  if (program) requireTool(program, compressorPackage(compression)!);
  const listed = await execa('tar', ['-tv', '--quoting-style=c', ...tarCompressionFlag(compression), '-f', archive], {
    reject: false,
    maxBuffer: 1024 * 1024 * 1024,
    env: { LC_ALL: 'C' },
  });
  if (listed.exitCode !== 0) {
    throw new BootstrapError('E_TAR_LIST', `cannot read ${archive} as a tar archive: ${listed.stderr.trim().split('\n').pop() ?? ''}`, 'expected .tar, .tar.gz, .tar.xz or .tar.zst (e.g. `docker export C > rootfs.tar`)');
  }
  const entries: TarEntry[] = [];
  for (const line of listed.stdout.split('\n')) {
    if (!line) continue;
    const entry = parseListingLine(line);
    if (!entry) throw new BootstrapError('E_TAR_LIST', `cannot understand this line of the listing of ${archive}: ${line}`);
    entries.push(entry);
  }
  return entries;
}

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
  requireTool('tar', 'tar');
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
  const result = await runStreamed('tar', [...TAR_EXTRACT_OPTIONS, ...tarCompressionFlag(compression), '-f', archive, '-C', ctx.work.dir], {
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
