import { compressorProgram, detectCompression, tarCompressionFlag } from './compression';
import { BootstrapError } from './errors';
import { capture } from './exec';
import { parseListingLine, type TarEntry } from './tar-listing';
import { requireTool } from '../host/tools';

/** Lists the archive and returns its entries (throws a BootstrapError if tar cannot read it). */
export async function listArchive(archive: string): Promise<TarEntry[]> {
  const compression = detectCompression(archive);
  const program = compressorProgram(compression);
  if (program) requireTool(program);
  const listed = await capture('tar', ['-tv', '--quoting-style=c', ...tarCompressionFlag(compression), '-f', archive], { env: { LC_ALL: 'C' } });
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
