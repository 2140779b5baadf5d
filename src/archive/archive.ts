import * as fs from 'node:fs';
import type { ContainerPlan } from '../plan/types';
import type { Reporter } from '../progress/reporter';
import { runStreamed } from '../progress/run-streamed';
import { compressorProgram, tarCompressionFlag, type Compression } from '../bootstrap/compression';
import { abortSignalName } from '../provision/errors';
import { HacoError } from '../errors';
import { BootstrapError } from '../bootstrap/errors';
import { capture } from '../bootstrap/exec';
import { removeTree } from '../bootstrap/remove-tree';
import { requireTool } from '../host/tools';
import { overlayOptions } from '../provision/run-in-rootfs';

export type ArchiveFormat = 'gz' | 'xz' | 'zst' | 'none';

/** The format an output name asks for (`.tar.zst`, `.tgz`…), or undefined when it does not say. */
export function formatFromName(out: string): ArchiveFormat | undefined {
  if (/\.(tar\.gz|tgz)$/.test(out)) return 'gz';
  if (/\.(tar\.xz|txz)$/.test(out)) return 'xz';
  if (/\.(tar\.zst|tzst)$/.test(out)) return 'zst';
  if (/\.tar$/.test(out)) return 'none';
  return undefined;
}

/**
 * GNU tar options for a rootfs archive the tarball strategy (and `docker import`) reads back:
 * relative names (`-C root .`), numeric owners, xattrs and ACLs (file capabilities), sorted names and
 * no atime noise so the same tree gives the same listing, and `--one-file-system` so nothing mounted
 * below the rootfs on the host ends up in it.
 */
export function tarCreateArgs(root: string, out: string, format: ArchiveFormat): string[] {
  return [
    '--create',
    '--file',
    out,
    ...tarCompressionFlag(format as Compression),
    '--numeric-owner',
    '--xattrs',
    '--xattrs-include=*',
    '--acls',
    '--sort=name',
    '--one-file-system',
    '-C',
    root,
    '.',
  ];
}

/** Bytes and files the archive will hold before compression (du's apparent size; layers summed). */
export async function estimateSize(container: ContainerPlan): Promise<{ bytes: number; files: number }> {
  const dirs = container.rootfs.overlay ? [...container.rootfs.overlay.lower, container.rootfs.overlay.upper] : [container.rootfs.path];
  let bytes = 0;
  let files = 0;
  for (const dir of dirs) {
    const du = await capture('du', ['-s', '--bytes', '-x', dir]);
    bytes += Number(du.stdout.split(/\s/)[0] ?? 0) || 0;
    const count = await capture('du', ['-s', '--inodes', '-x', dir]);
    files += Number(count.stdout.split(/\s/)[0] ?? 0) || 0;
  }
  return { bytes, files };
}

/**
 * Writes the container's rootfs as a tarball. An overlay container is archived as what it sees — the
 * merged tree, mounted for the occasion in a private mount namespace — so the archive is flat and
 * self-contained. Written to a temporary name and renamed on success.
 */
export async function archiveRootfs(
  container: ContainerPlan,
  out: string,
  format: ArchiveFormat,
  options: { reporter: Reporter; signal?: AbortSignal },
): Promise<{ bytes: number }> {
  requireTool('tar');
  const program = compressorProgram(format as Compression);
  if (program) requireTool(program);
  const tmp = `${out}.haco-new-${process.pid}`;
  const phase = 'archive';
  const common = { reporter: options.reporter, container: container.name, phase, env: { LC_ALL: 'C' }, ...(options.signal ? { signal: options.signal } : {}) };
  try {
    const overlay = container.rootfs.overlay;
    const result = overlay
      ? await runStreamed(
          'unshare',
          ['--mount', '--propagation', 'private', '/bin/sh', '-ec', 'mount -t overlay overlay -o "$1" "$2" || { echo "cannot mount the overlay layers of the rootfs" >&2; exit 125; }; shift 2; exec tar "$@"', 'sh', overlayOptions(overlay), container.rootfs.path, ...tarCreateArgs(container.rootfs.path, tmp, format)],
          common,
        )
      : await runStreamed('tar', tarCreateArgs(container.rootfs.path, tmp, format), common);
    if (result.cancelled) {
      // Like every interrupted haco command: 130 for Ctrl-C, 143 for SIGTERM, as a shell reports them.
      const by = abortSignalName(options.signal);
      throw new HacoError('E_INTERRUPTED', `archive interrupted by ${by}; the partial file was removed`, { exitCode: by === 'SIGINT' ? 130 : 143 });
    }
    // GNU tar exits 1 for "file changed as we read it": the archive is complete, but say so.
    if (result.exitCode === 1) options.reporter.warn(container.name, 'some files changed while being archived (is the container running?)');
    else if (result.exitCode === 125 && overlay) throw new BootstrapError('E_ARCHIVE', 'could not mount the overlay layers to archive them', result.tail.slice(-3).join('\n') || undefined);
    else if (result.exitCode !== 0) throw new BootstrapError('E_ARCHIVE', `tar failed (exit ${result.exitCode})`, result.tail.slice(-3).join('\n') || undefined);
    fs.renameSync(tmp, out);
    return { bytes: fs.statSync(out).size };
  } catch (error) {
    removeTree(tmp);
    throw error;
  }
}
