import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSameProcess, readState, requireState } from '../state';

const STREAMS = [
  ['stdout.log', process.stdout],
  ['stderr.log', process.stderr],
] as const;

function copyFrom(file: string, offset: number, out: NodeJS.WriteStream): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return offset;
  }
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, offset);
      if (n <= 0) return offset;
      out.write(buf.subarray(0, n));
      offset += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Prints the container's stdout/stderr files; with follow, keeps printing until its supervisor is gone. */
export async function showLogs(name: string, follow: boolean): Promise<void> {
  const s = requireState(name);
  const offsets = STREAMS.map(() => 0);
  const pump = () => STREAMS.forEach(([file, out], i) => (offsets[i] = copyFrom(path.join(s.dir, file), offsets[i]!, out)));
  pump();
  if (!follow) return;
  for (;;) {
    const now = readState(name);
    const alive = now !== undefined && isSameProcess(now.recorded.supervisor, now.recorded.supervisorStart);
    pump();
    if (!alive) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
