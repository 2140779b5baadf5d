import * as fs from 'node:fs';
import type { OverlayPlan } from '../plan/types';
import type { Reporter } from '../progress/reporter';
import { runStreamed, type StreamedResult } from '../progress/run-streamed';
import { requireTool } from '../bootstrap/tools';

/**
 * Running a command inside a rootfs that is not started as a container. Isolated in this module so
 * it can be swapped for haco's own launcher (a derived container plan) once `src/start/` offers one.
 *
 * Today: util-linux `unshare --mount --uts --ipc --pid --fork` gives a private mount namespace
 * (propagation private, so nothing below leaks to the host and everything disappears with the
 * namespace), then a host shell mounts what a package manager needs — the overlay (layered
 * rootfs), the host's read-only binds (host strategy), proc, a read-only sys, a minimal /dev with
 * devpts, a tmpfs /tmp, the host's resolv.conf and hosts — and `chroot`s into the tree with a clean
 * environment.
 */
export interface RootfsSession {
  /** The rootfs (for an overlay: the merged mount point). */
  rootfs: string;
  overlay?: OverlayPlan;
  /** Set in the session's own uts namespace. */
  hostname?: string;
  /** Host directories bound read-only at the same path (the `host` bootstrap's binds). */
  binds?: readonly string[];
}

export interface RunInRootfsOptions {
  reporter: Reporter;
  container: string;
  phase: string;
  signal?: AbortSignal;
  /** A host file fed to the command's stdin (how provision files are copied in). */
  inputFile?: string;
}

const SETUP = String.raw`
set -e
R=$1; shift
# The container's own hostname (the uts namespace is a copy of the host's until set).
[ -z "$HACO_HOSTNAME" ] || hostname "$HACO_HOSTNAME" 2>/dev/null || true
if [ -n "$HACO_OVERLAY" ]; then mount -t overlay overlay -o "$HACO_OVERLAY" "$R"; fi
old_ifs=$IFS; IFS='
'
for b in $HACO_BINDS; do
  if [ -d "$b" ] && [ ! -L "$b" ] && [ -d "$R$b" ] && [ ! -L "$R$b" ]; then
    mount --rbind "$b" "$R$b" && mount -o remount,bind,ro "$R$b"
  fi
done
IFS=$old_ifs
for d in proc sys dev tmp; do [ -d "$R/$d" ] || mkdir -p "$R/$d"; done
mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$R/sys"
mount -t tmpfs -o mode=755,nosuid,size=64k tmpfs "$R/dev"
for n in null zero full random urandom tty; do : > "$R/dev/$n"; mount --bind "/dev/$n" "$R/dev/$n"; done
mkdir "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"; ln -s /proc/self/fd "$R/dev/fd"
ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"
for f in resolv.conf hosts; do
  if [ -f "/etc/$f" ] && [ -f "$R/etc/$f" ] && [ ! -L "$R/etc/$f" ]; then mount --bind -o ro "/etc/$f" "$R/etc/$f"; fi
done
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive chroot "$R" "$@"
`;

/**
 * Runs `argv` inside the rootfs (see RootfsSession), streaming its output with the phase prefix.
 * Never throws for a non-zero exit; returns it.
 */
export async function runInRootfs(session: RootfsSession, argv: readonly string[], options: RunInRootfsOptions): Promise<StreamedResult> {
  requireTool('unshare', 'util-linux');
  requireTool('chroot', 'coreutils');
  const env: Record<string, string> = {
    HACO_OVERLAY: session.overlay ? overlayOptions(session.overlay) : '',
    HACO_HOSTNAME: session.hostname ?? '',
    HACO_BINDS: (session.binds ?? []).join('\n'),
  };
  if (!fs.existsSync(session.rootfs)) throw new Error(`${session.rootfs} does not exist`);
  return runStreamed(
    'unshare',
    ['--mount', '--uts', '--ipc', '--pid', '--fork', '--kill-child', '--propagation', 'private', '/bin/sh', '-c', SETUP, 'haco-setup', session.rootfs, ...argv],
    {
      reporter: options.reporter,
      container: options.container,
      phase: options.phase,
      env,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.inputFile ? { inputFile: options.inputFile } : {}),
    },
  );
}

/** overlayfs mount data: `lowerdir=top:…:bottom,upperdir=U,workdir=W`. */
export function overlayOptions(overlay: OverlayPlan): string {
  return `lowerdir=${overlay.lower.join(':')},upperdir=${overlay.upper},workdir=${overlay.work}`;
}
