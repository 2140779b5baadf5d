import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostError } from '../errors';
import { installHint } from '../host/tools';
import type { BusyboxBootstrap } from '../plan/types';
import type { BootstrapContext } from './context';
import { BootstrapError } from './errors';
import { capture } from './exec';
import { makeSkeletonDirs, writeMinimalEtc } from './skeleton';

/**
 * True when the ELF file has no PT_INTERP program header, i.e. it needs no dynamic loader and runs in
 * a rootfs that has no /lib. (`file` would say so too, but is not always installed.)
 */
export function isStaticElf(file: string): boolean {
  const buf = fs.readFileSync(file);
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) return false;
  const is64 = buf[4] === 2;
  const little = buf[5] === 1;
  const u16 = (o: number): number => (little ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number): number => (little ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const phoff = is64 ? Number(little ? buf.readBigUInt64LE(32) : buf.readBigUInt64BE(32)) : u32(28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > buf.length) break;
    if (u32(at) === 3 /* PT_INTERP */) return false;
  }
  return true;
}

/**
 * `busybox`: the host's static busybox copied to /bin/busybox plus one relative symlink per applet
 * (what `busybox --install -s` does, without running anything inside the rootfs). Instant.
 */
export async function bootstrapBusybox(plan: BusyboxBootstrap, ctx: BootstrapContext): Promise<void> {
  const source = plan.busybox;
  if (!fs.existsSync(source)) {
    throw new HostError('E_NO_BUSYBOX', `${source} does not exist`, `${installHint(['busybox'])} (or pass busybox: "/path/to/static/busybox")`);
  }
  if (!isStaticElf(fs.realpathSync(source))) {
    throw new HostError('E_BUSYBOX_DYNAMIC', `${source} is dynamically linked and would not run in a rootfs without /lib`, installHint(['busybox']));
  }
  const root = ctx.work.dir;
  makeSkeletonDirs(root);
  for (const dir of ['bin', 'sbin', 'usr/bin', 'usr/sbin']) fs.mkdirSync(path.join(root, dir), { recursive: true });
  const target = path.join(root, 'bin/busybox');
  fs.copyFileSync(fs.realpathSync(source), target);
  fs.chmodSync(target, 0o755);

  const listed = await capture(source, ['--list-full']);
  if (listed.exitCode !== 0) throw new BootstrapError('E_BUSYBOX_LIST', `${source} --list-full failed: ${listed.stderr}`);
  let count = 0;
  for (const applet of listed.stdout.split('\n').map((l) => l.trim())) {
    if (!applet || applet.includes('..') || applet.startsWith('/')) continue;
    const link = path.join(root, applet);
    if (fs.existsSync(link) || applet === 'bin/busybox') continue;
    fs.mkdirSync(path.dirname(link), { recursive: true });
    // Relative links keep working wherever the rootfs is looked at from (host path or inside).
    fs.symlinkSync(path.relative(path.dirname(link), target), link);
    count++;
  }
  ctx.reporter.line(ctx.container.name, 'bootstrap.busybox', `${count} applets linked to /bin/busybox`);
  writeMinimalEtc(root, { hostname: ctx.container.process.hostname, shell: '/bin/sh' });
}
