import { cgroupPids } from '../cgroup/procs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cgroupDirs, listStates, ownNamespaces, type ContainerState, type LiveStatus } from '../state';

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
}

const TICKS_PER_SECOND = 100; // USER_HZ: what /proc/PID/stat counts in on every Linux architecture haco runs on

function readNumber(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** cpu seconds: cpuacct.usage (v1, ns) or cpu.stat usage_usec (v2); else utime+stime of its processes. */
function cpuSeconds(dirs: string[], tracking: string | undefined): number | null {
  for (const d of dirs) {
    const v1 = readNumber(path.join(d, 'cpuacct.usage'));
    if (v1 !== undefined) return v1 / 1e9;
    try {
      const m = /^usage_usec (\d+)$/m.exec(fs.readFileSync(path.join(d, 'cpu.stat'), 'utf8'));
      if (m) return Number(m[1]) / 1e6;
    } catch {
      // not a v2 cpu.stat here
    }
  }
  if (!tracking) return null;
  let ticks = 0;
  for (const pid of cgroupPids(tracking)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[14 - 3]) + Number(f[15 - 3]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** memory bytes: memory.usage_in_bytes (v1) or memory.current (v2); else the RSS of its processes. */
function memoryBytes(dirs: string[], tracking: string | undefined): number | null {
  for (const d of dirs) {
    const v = readNumber(path.join(d, 'memory.usage_in_bytes')) ?? readNumber(path.join(d, 'memory.current'));
    if (v !== undefined) return v;
  }
  if (!tracking) return null;
  let kb = 0;
  for (const pid of cgroupPids(tracking)) {
    try {
      const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // exited meanwhile
    }
  }
  return kb * 1024;
}

export function psRow(s: ContainerState, now = Date.now()): PsRow {
  const r = s.recorded;
  const live = s.status === 'running';
  const dirs = cgroupDirs(s);
  return {
    name: s.name,
    status: s.status,
    pid: live ? r.pid : null,
    supervisor: live || s.status === 'restarting' ? r.supervisor : null,
    uptimeSeconds: live ? Math.max(0, Math.round(now / 1000 - r.started)) : null,
    cpuSeconds: live ? cpuSeconds(dirs, r.meta['tracking']) : null,
    memoryBytes: live ? memoryBytes(dirs, r.meta['tracking']) : null,
    namespaces: live ? ownNamespaces(r.pid, 1, r.supervisor, 'self') : [],
    exitCode: r.exitCode ?? null,
    restarts: r.restarts,
    reason: r.reason,
    planHash: r.meta['plan_hash'] ?? null,
    reloadedAt: r.meta['reloaded'] ? Number(r.meta['reloaded']) : null,
    autoRemove: r.meta['auto_remove'] === '1',
  };
}

/** Shown by a plain `haco ps` (docker's habit): containers that are up or on their way; `-a` adds exited and stale. */
const ACTIVE: readonly LiveStatus[] = ['starting', 'running', 'restarting'];

export function psRows(options: { all?: boolean } = { all: true }): PsRow[] {
  return listStates()
    .filter((s) => options.all || ACTIVE.includes(s.status))
    .map((s) => psRow(s));
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
export function statusText(r: Pick<PsRow, 'status' | 'exitCode' | 'reason' | 'restarts'>): string {
  const restarts = r.restarts > 0 ? `, ${r.restarts} restart${r.restarts === 1 ? '' : 's'}` : '';
  if (r.status !== 'exited') return `${r.status}${restarts}`;
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
