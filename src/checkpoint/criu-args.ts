/**
 * The criu command lines of `haco checkpoint` and `haco restore` (criu(8)), decided here and nowhere
 * else: pure functions of what haco knows about the container, so unit tests and the VM tier check the
 * exact argv. criu runs as the tool it is; haco never reimplements a part of it.
 */

/** A mount of the container whose source lies outside its root: criu records it by key, not content. */
export interface ExternalMount {
  /** Mount point inside the container, e.g. /dev/null or /srv. */
  target: string;
  /** What restore maps back, e.g. the host path of a bind mount. */
  source: string;
}

export interface DumpRequest {
  /** The container's init (the root of the dumped tree), as the host sees it. */
  pid: number;
  imagesDir: string;
  /** Relative to imagesDir (criu writes it there). */
  logFile: string;
  leaveRunning: boolean;
  /** The container has a network namespace with a veth: established TCP connections are dumped too. */
  network: boolean;
  externalMounts: readonly ExternalMount[];
  /**
   * The init is not a session leader (no `.sessionLeader()`): its session is the supervisor's, outside
   * the container's pid namespace, which criu refuses unless told it is a "shell job"; on restore the
   * tree then joins criu's own session.
   */
  shellJob: boolean;
}

/** The key criu uses for an external mount (a word without ':' or ','). */
export function externalKey(target: string): string {
  return `haco${target.replace(/[^a-zA-Z0-9]/g, '_')}`;
}

/**
 * `criu dump`: the whole tree below the container's init; cgroups with their properties (`full`: the
 * limits come back on restore even when the cgroup is gone by then); the rootfs and the host files bound
 * in are external (recorded by key, not copied); the network namespace itself is dumped and its veth
 * recreated by criu (`--external veth[...]` on restore pairs it with a new host end).
 */
export function criuDumpArgs(r: DumpRequest): string[] {
  return [
    'dump',
    '--tree', String(r.pid),
    '--images-dir', r.imagesDir,
    '--log-file', r.logFile,
    '-v4',
    '--manage-cgroups=full',
    '--file-locks',
    // The container's stdio are pipes or files of the supervisor: recorded, re-wired on restore.
    '--ext-unix-sk',
    ...(r.network ? ['--tcp-established'] : []),
    ...(r.shellJob ? ['--shell-job'] : []),
    ...r.externalMounts.flatMap((m) => ['--external', `mnt[${m.target}]:${externalKey(m.target)}`]),
    ...(r.leaveRunning ? ['--leave-running'] : []),
  ];
}

export interface RestoreRequest {
  imagesDir: string;
  logFile: string;
  /** criu writes the restored init's host pid here. */
  pidFile: string;
  /** The container's rootfs on the host (criu mounts the restored mount namespace there). */
  rootfs: string;
  network: boolean;
  /** The host end of the container's veth and the bridge it is put on again. */
  veth?: { guest: string; host: string; bridge: string };
  externalMounts: readonly ExternalMount[];
  /** Pipes of the dumped tree (stdio) handed fds of the restorer: `fd[N]:pipe:[INODE]`. */
  inheritFds: ReadonlyArray<{ fd: number; resource: string }>;
  /** As DumpRequest.shellJob (the same value as the dump). */
  shellJob: boolean;
}

/**
 * `criu restore`: criu stays as the restored init's parent until it exits (docs/checkpoint.md),
 * into the same rootfs, cgroups recreated with their limits, external mounts and stdio mapped back.
 */
export function criuRestoreArgs(r: RestoreRequest): string[] {
  return [
    'restore',
    '--images-dir', r.imagesDir,
    '--log-file', r.logFile,
    '-v4',
    // Not --restore-detached: the launcher set PR_SET_PDEATHSIG on the init, which criu restores, so the
    // init would be killed the moment criu exits. criu stays the restored init's parent (its supervisor).
    '--pidfile', r.pidFile,
    '--root', r.rootfs,
    // criu 3.17's new mount engine fails to move_mount a bind of a file (/dev/null over a masked file):
    // the older engine restores those.
    '--mntns-compat-mode',
    '--manage-cgroups=full',
    '--file-locks',
    '--ext-unix-sk',
    ...(r.network ? ['--tcp-established'] : []),
    ...(r.shellJob ? ['--shell-job'] : []),
    ...(r.veth ? ['--external', `veth[${r.veth.guest}]:${r.veth.host}@${r.veth.bridge}`] : []),
    ...r.externalMounts.flatMap((m) => ['--external', `mnt[${externalKey(m.target)}]:${m.source}`]),
    ...r.inheritFds.flatMap((f) => ['--inherit-fd', `fd[${f.fd}]:${f.resource}`]),
  ];
}
