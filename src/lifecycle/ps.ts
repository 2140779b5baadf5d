import { cgroupPids } from '../cgroup/procs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cgroupDirs, listStates, NS_FILES, type ContainerState, type LiveStatus, type NsFile } from '../state';

export interface PsRow {
  name: string;
  status: LiveStatus;
  /** Host pid of the container's init (while running). */
  pid: number | null;
  supervisor: number | null;
  /** Seconds since this run started (while running). */
  uptimeSeconds: number | null;
  /** CPU time used by the container's processes, seconds. */
  cpuSeconds: number | null;
  memoryBytes: number | null;
  /** Namespaces the init does not share with the host's PID 1 (ns file names: mnt, uts, net…). */
  namespaces: string[];
  exitCode: number | null;
  restarts: number;
  reason: string;
  /** Fingerprint of the plan the container runs (the one `haco reload` applied last, if any). */
  planHash: string | null;
  /** Epoch seconds of the last `haco reload`. */
  reloadedAt: number | null;
  /** Started with `-d --rm`: the supervisor removes the record when the container exits. */
  autoRemove: boolean;
  /** With a readiness probe (`.readiness()`): true once ready, false when it gave up, null while probing or without one. */
  ready: boolean | null;
  /** The plan has a readiness probe. */
  readiness: boolean;
}

const TICKS_PER_SECOND = 100; // USER_HZ: what /proc/PID/stat counts in on every Linux architecture haco runs on

/**
 * A cgroup file that may not exist, read without an exception: `haco ps` reads a few per container, and at
 * 300 containers the thrown ENOENTs of guessing (v1 or v2 file names) cost more than the reads themselves.
 */
function readIfThere(file: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // removed in between
  }
}

function readNumber(file: string): number | undefined {
  const text = readIfThere(file);
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** v1: the hierarchy a container dir sits in (ROOT/HIERARCHY/haco/NAME…) names its controllers, e.g. `cpu,cpuacct`. */
function inHierarchy(dir: string, controller: string): boolean {
  const parts = dir.split('/');
  const at = parts.lastIndexOf('haco');
  return at > 0 && parts[at - 1]!.split(',').includes(controller);
}

/** cpu seconds from the cgroup: cpuacct.usage (v1, ns) or cpu.stat usage_usec (v2). */
function cgroupCpuSeconds(dirs: string[], v2: boolean): number | undefined {
  for (const d of dirs) {
    if (v2) {
      const m = /^usage_usec (\d+)$/m.exec(readIfThere(path.join(d, 'cpu.stat')) ?? '');
      if (m) return Number(m[1]) / 1e6;
    } else if (inHierarchy(d, 'cpuacct')) {
      const v1 = readNumber(path.join(d, 'cpuacct.usage'));
      if (v1 !== undefined) return v1 / 1e9;
    }
  }
  return undefined;
}

/** memory bytes from the cgroup: memory.usage_in_bytes (v1) or memory.current (v2). */
function cgroupMemoryBytes(dirs: string[], v2: boolean): number | undefined {
  for (const d of dirs) {
    const v = v2 ? readNumber(path.join(d, 'memory.current')) : inHierarchy(d, 'memory') ? readNumber(path.join(d, 'memory.usage_in_bytes')) : undefined;
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * Without a cpu or memory cgroup: the processes of the tracking cgroup, from /proc/PID/stat (utime, stime)
 * and /proc/PID/statm (resident pages; /proc/PID/status, with the same VmRSS, is far larger to render).
 */
function processUsage(tracking: string, pageSize: number): { cpuSeconds: number; memoryBytes: number } {
  let ticks = 0;
  let pages = 0;
  for (const pid of cgroupPids(tracking)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[14 - 3]) + Number(f[15 - 3]);
      // statm, not stat's rss field: that one can lag behind (per-thread counters), statm is what VmRSS shows.
      pages += Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    } catch {
      // exited meanwhile
    }
  }
  return { cpuSeconds: ticks / TICKS_PER_SECOND, memoryBytes: pages * pageSize };
}

function usage(dirs: string[], tracking: string | undefined, ctx: PsContext): { cpuSeconds: number | null; memoryBytes: number | null } {
  const cpu = cgroupCpuSeconds(dirs, ctx.v2);
  const mem = cgroupMemoryBytes(dirs, ctx.v2);
  if ((cpu !== undefined && mem !== undefined) || !tracking) return { cpuSeconds: cpu ?? null, memoryBytes: mem ?? null };
  const procs = processUsage(tracking, ctx.pageSize);
  return { cpuSeconds: cpu ?? procs.cpuSeconds, memoryBytes: mem ?? procs.memoryBytes };
}

/**
 * The page size, which /proc/PID/stat counts rss in (4 KiB on x86-64, 16 or 64 KiB on some arm64 kernels):
 * node has no sysconf, so from this process's own VmRSS (kB) and statm resident (pages), read once.
 */
function pageSize(): number {
  try {
    const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]);
    const pages = Number(fs.readFileSync('/proc/self/statm', 'utf8').split(' ')[1]);
    const ratio = (kb * 1024) / pages;
    if (Number.isFinite(ratio) && ratio > 0) return 2 ** Math.round(Math.log2(ratio));
  } catch {
    // no /proc/self: the usual size
  }
  return 4096;
}

/** The ns links of PID, by kind; a kind the kernel lacks (or an unreadable one) is absent. */
function nsLinks(pid: number | 'self'): Partial<Record<NsFile, string>> {
  const links: Partial<Record<NsFile, string>> = {};
  for (const kind of NS_FILES) {
    try {
      links[kind] = fs.readlinkSync(`/proc/${pid}/ns/${kind}`);
    } catch {
      // not on this kernel, or not readable
    }
  }
  return links;
}

/**
 * What a container is compared with: the host's PID 1, or where its ns files cannot be read (a sandbox, a
 * protected init) this process's, which runs in the host's namespaces like the supervisors. Read once per
 * `haco ps`, not once per container.
 */
export interface PsContext {
  hostNs: Partial<Record<NsFile, string>>;
  v2: boolean;
  pageSize: number;
}

export function psContext(): PsContext {
  const init = nsLinks(1);
  const self = nsLinks('self');
  return { hostNs: { ...self, ...init }, v2: fs.existsSync('/sys/fs/cgroup/cgroup.controllers'), pageSize: pageSize() };
}

function ownNs(pid: number, host: Partial<Record<NsFile, string>>): NsFile[] {
  const mine = nsLinks(pid);
  return NS_FILES.filter((k) => mine[k] !== undefined && host[k] !== undefined && mine[k] !== host[k]);
}

export function psRow(s: ContainerState, now = Date.now(), ctx: PsContext = psContext()): PsRow {
  const r = s.recorded;
  const live = s.status === 'running';
  const used = live ? usage(cgroupDirs(s), r.meta['tracking'], ctx) : { cpuSeconds: null, memoryBytes: null };
  return {
    name: s.name,
    status: s.status,
    pid: live ? r.pid : null,
    supervisor: live || s.status === 'restarting' ? r.supervisor : null,
    uptimeSeconds: live ? Math.max(0, Math.round(now / 1000 - r.started)) : null,
    ...used,
    namespaces: live ? ownNs(r.pid, ctx.hostNs) : [],
    exitCode: r.exitCode ?? null,
    restarts: r.restarts,
    reason: r.reason,
    planHash: r.meta['plan_hash'] ?? null,
    reloadedAt: r.meta['reloaded'] ? Number(r.meta['reloaded']) : null,
    autoRemove: r.meta['auto_remove'] === '1',
    ready: live && r.meta['ready'] === 'yes' ? true : live && r.meta['ready'] === 'no' ? false : null,
    readiness: r.meta['readiness'] !== undefined,
  };
}

/** Shown by a plain `haco ps` (docker's habit): containers that are up or on their way; `-a` adds exited and stale. */
const ACTIVE: readonly LiveStatus[] = ['starting', 'running', 'restarting'];

export function psRows(options: { all?: boolean } = { all: true }): PsRow[] {
  const ctx = psContext();
  const now = Date.now();
  return listStates()
    .filter((s) => options.all || ACTIVE.includes(s.status))
    .map((s) => psRow(s, now, ctx));
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}

function bytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)}M` : `${Math.round(n / 1024)}K`;
}

/** The signal names an exit status 128+N stands for, for the ones a container usually dies of. */
const SIGNAL_NAMES: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

/**
 * `exited (137, oom killed)`, `exited (143, SIGTERM, stopped)`, `running, 2 restarts`: the exit reason the
 * supervisor recorded (stopped, oom killed, launch failed, supervisor killed), the signal behind a 128+N
 * status, and how often it restarted.
 */
export function statusText(r: Pick<PsRow, 'status' | 'exitCode' | 'reason' | 'restarts'> & Partial<Pick<PsRow, 'ready' | 'readiness'>>): string {
  const restarts = r.restarts > 0 ? `, ${r.restarts} restart${r.restarts === 1 ? '' : 's'}` : '';
  // A readiness probe (.readiness()): "running, ready", "running, not ready" (gave up) or "running, starting up".
  const ready = r.status === 'running' && r.readiness ? (r.ready === true ? ', ready' : r.ready === false ? ', not ready' : ', starting up') : '';
  if (r.status !== 'exited') return `${r.status}${ready}${restarts}`;
  const code = r.exitCode ?? '?';
  const signal = typeof r.exitCode === 'number' && r.exitCode > 128 ? SIGNAL_NAMES[r.exitCode - 128] : undefined;
  const why = [signal, r.reason].filter(Boolean).join(', ');
  return `exited (${code}${why ? `, ${why}` : ''})${restarts}`;
}

export function renderPs(rows: PsRow[]): string {
  const table = [['NAME', 'STATUS', 'PID', 'UPTIME', 'CPU', 'MEM', 'NAMESPACES']];
  for (const r of rows) {
    const status = statusText(r);
    table.push([
      r.name,
      status,
      r.pid === null ? '-' : String(r.pid),
      r.uptimeSeconds === null ? '-' : duration(r.uptimeSeconds),
      r.cpuSeconds === null ? '-' : `${r.cpuSeconds.toFixed(2)}s`,
      r.memoryBytes === null ? '-' : bytes(r.memoryBytes),
      r.namespaces.length ? r.namespaces.join(',') : '-',
    ]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** What `haco ps` prints (one home for the oclif command and the fast path): -a, -q and --json. */
export function psOutput(options: { all: boolean; quiet: boolean; json: boolean }): string {
  const rows = psRows({ all: options.all });
  if (options.json) return `${JSON.stringify(options.quiet ? rows.map((r) => r.name) : rows, null, 2)}\n`;
  if (options.quiet) return rows.map((r) => `${r.name}\n`).join('');
  return renderPs(rows);
}
