import * as fs from 'node:fs';
import type { ToolName } from '../host/tool-manifest';

export type Compression = 'none' | 'gz' | 'xz' | 'zst' | 'bz2';

/** Detects the compression from the first bytes (names lie: `docker export` writes plain tar). */
export function detectCompression(file: string): Compression {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(6);
  try {
    fs.readSync(fd, head, 0, 6, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gz';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.readUInt32LE(0) === 0xfd2fb528) return 'zst';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bz2';
  return 'none';
}

/** The GNU tar option that (de)compresses with that format. */
export function tarCompressionFlag(c: Compression): string[] {
  switch (c) {
    case 'gz':
      return ['--gzip'];
    case 'xz':
      return ['--xz'];
    case 'zst':
      return ['--zstd'];
    case 'bz2':
      return ['--bzip2'];
    case 'none':
      return [];
  }
}

/** The program GNU tar runs for that format (its package is in the tool manifest). */
export function compressorProgram(c: Compression): ToolName | undefined {
  const programs: Record<Compression, ToolName | undefined> = { gz: 'gzip', xz: 'xz', zst: 'zstd', bz2: 'bzip2', none: undefined };
  return programs[c];
}
