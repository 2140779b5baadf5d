// The trivial rootfs the standalone bench scripts (scale.mjs, memory.mjs) start their containers from:
// a static busybox with sh, sleep and true, and the mount points the launcher needs.
import fs from 'node:fs';
import path from 'node:path';

export function busyboxRootfs(rootfs) {
  for (const d of ['bin', 'proc', 'dev', 'tmp', 'sys']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin/busybox'));
  fs.chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
  for (const a of ['sh', 'sleep', 'true']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  return rootfs;
}
