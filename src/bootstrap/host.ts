import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostBootstrap } from '../plan/types';
import type { BootstrapContext } from './context';
import { makeSkeletonDirs, writeMinimalEtc } from './skeleton';

/**
 * Host files the container's own /etc copies because the host's binaries need them to work:
 * the dynamic linker's cache and config (libraries outside the default paths), and the Debian
 * alternatives symlinks (/usr/bin/awk → /etc/alternatives/awk → /usr/bin/mawk).
 */
const HOST_ETC_COPIES = ['ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'alternatives', 'localtime', 'os-release', 'debian_version'];

/**
 * `host`: no download. The rootfs gets only the container's own /etc, /var, /tmp, /root and empty
 * mount points; the launcher binds the host's /usr, /bin, /lib… read-only at start. On a merged-/usr
 * host (/bin → usr/bin) the same symlinks are made instead of mount points, so binding /usr alone
 * brings /bin, /lib and /sbin along.
 */
export async function bootstrapHost(plan: HostBootstrap, ctx: BootstrapContext): Promise<void> {
  const root = ctx.work.dir;
  makeSkeletonDirs(root);
  for (const bind of plan.binds) {
    const rel = bind.replace(/^\/+/, '');
    const inRoot = path.join(root, rel);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(bind);
    } catch {
      // /lib32, /libx32… do not exist on most hosts; the launcher skips them too.
      continue;
    }
    fs.mkdirSync(path.dirname(inRoot), { recursive: true });
    if (stat.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(bind), inRoot);
      ctx.reporter.line(ctx.container.name, 'bootstrap.host', `${bind} → ${fs.readlinkSync(bind)} (symlink, like the host)`);
    } else {
      fs.mkdirSync(inRoot, { recursive: true });
      ctx.reporter.line(ctx.container.name, 'bootstrap.host', `${bind} (mount point, bound read-only at start)`);
    }
  }
  writeMinimalEtc(root, { hostname: ctx.container.process.hostname, shell: '/bin/sh' });
  for (const name of HOST_ETC_COPIES) {
    const from = path.join('/etc', name);
    if (!fs.existsSync(from) && !isSymlink(from)) continue;
    // verbatimSymlinks: /etc/localtime → /usr/share/zoneinfo/… must stay a link, resolved in the container.
    fs.cpSync(from, path.join(root, 'etc', name), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
