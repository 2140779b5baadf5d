// Shared by the lifecycle root tests: a temp HACO_RUN_DIR/HACO_CACHE_DIR, one busybox rootfs, definition
// files, and a teardown that kills every supervisor and container the test started (even when a check
// failed), then verifies and removes what is left: cgroups, mounts, state.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { haco as runHaco, type CliResult } from '../support/cli';
import { cmdlineOf, processesInCgroup } from '../support/procs';

export const canRun = process.getuid?.() === 0 && fs.existsSync(path.resolve(__dirname, '../../native/build/haco-launch')) && fs.existsSync('/bin/busybox');

export interface Lab {
  tag: string;
  work: string;
  runDir: string;
  rootfs: string;
  env: Record<string, string>;
  haco(args: string[], input?: string): CliResult;
  /** Writes NAME.haco.ts; BODY is appended to the builder chain after rootfs/bootstrap. */
  def(name: string, body: string): string;
  cleanup(): void;
  leftovers(): string[];
}

function cgroupDirsMatching(tag: string): string[] {
  const out: string[] = [];
  for (const h of fs.readdirSync('/sys/fs/cgroup')) {
    for (const parent of [path.join('/sys/fs/cgroup', h, 'haco'), path.join('/sys/fs/cgroup', 'haco')]) {
      try {
        for (const d of fs.readdirSync(parent)) if (d.includes(tag)) out.push(path.join(parent, d));
      } catch {
        // no haco parent in this hierarchy
      }
    }
  }
  return [...new Set(out)];
}

function readKeyValues(file: string): Record<string, string> {
  const kv: Record<string, string> = {};
  try {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) kv[line.slice(0, eq)] = line.slice(eq + 1);
    }
  } catch {
    // no state
  }
  return kv;
}

/** Supervisor and container pids the lab's state files (HACO_RUN_DIR/NAME/state) name, still alive. */
function recordedPids(runDir: string): number[] {
  const pids: number[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(runDir);
  } catch {
    return pids;
  }
  for (const name of names) {
    const kv = readKeyValues(path.join(runDir, name, 'state'));
    for (const key of ['supervisor', 'pid']) {
      const pid = Number(kv[key]);
      if (pid > 1 && fs.existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))) pids.push(pid);
    }
  }
  return pids;
}

export function makeLab(): Lab {
  const tag = `lc${randomBytes(3).toString('hex')}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `haco-${tag}-`));
  fs.chmodSync(work, 0o755);
  const runDir = path.join(work, 'run');
  const rootfs = path.join(work, 'rootfs');
  const env = { HACO_RUN_DIR: runDir, HACO_CACHE_DIR: path.join(work, 'cache') };
  // A busybox rootfs by hand (the bootstrap is another suite's subject): applets, /proc, /dev, /tmp.
  for (const d of ['bin', 'proc', 'dev', 'tmp', 'etc', 'sys', 'root']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin/busybox'));
  fs.chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
  for (const applet of spawnSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) {
    if (applet !== 'busybox') fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  }
  fs.writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  const lab: Lab = {
    tag,
    work,
    runDir,
    rootfs,
    env,
    haco: (args, input) => runHaco(args, { env, cwd: work, ...(input === undefined ? {} : { input }) }),
    def(name, body) {
      const file = path.join(work, `${name}.haco.ts`);
      fs.writeFileSync(file, `import { defineContainer } from 'haco';\nexport default defineContainer(${JSON.stringify(name)})\n  .rootfs(${JSON.stringify(rootfs)})\n${body};\n`);
      return file;
    },
    cleanup() {
      // Supervisors first (their watchers then clean up), then whatever a broken run left.
      let states: string[] = [];
      try {
        states = fs.readdirSync(runDir);
      } catch {
        // nothing started
      }
      for (const name of states) {
        const kv = readKeyValues(path.join(runDir, name, 'state'));
        for (const key of ['pid', 'supervisor']) {
          const pid = Number(kv[key]);
          if (pid > 1) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // gone
            }
          }
        }
      }
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && cgroupDirsMatching(tag).length > 0) spawnSync('sleep', ['0.1']);
      for (const dir of cgroupDirsMatching(tag).sort((a, b) => b.length - a.length)) {
        try {
          for (const pid of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
        spawnSync('sleep', ['0.2']);
        try {
          fs.rmdirSync(dir);
        } catch {
          // reported by leftovers()
        }
      }
      for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
        const mnt = line.split(' ')[4];
        if (mnt && mnt.startsWith(work)) spawnSync('umount', ['-l', mnt]);
      }
      fs.rmSync(work, { recursive: true, force: true });
    },
    leftovers() {
      const left: string[] = [...cgroupDirsMatching(tag).map((d) => `cgroup ${d}`)];
      for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) if (line.includes(work) || line.includes(tag)) left.push(`mount ${line}`);
      // Processes are looked for where this lab put them: its containers' cgroups and the supervisors and
      // inits its state files name (never a host-wide pgrep, which would match other tests' processes).
      for (const d of cgroupDirsMatching(tag)) left.push(...processesInCgroup(d).map((p) => `process ${p} (in ${d})`));
      for (const pid of recordedPids(runDir)) left.push(`process ${pid} ${cmdlineOf(pid)} (recorded in ${runDir})`);
      return left;
    },
  };
  return lab;
}

/** Waits (polling) until fn returns true; false after timeoutMs. */
export async function until(fn: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (fn()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return fn();
}

export function stateOf(lab: Lab, name: string): Record<string, string> {
  return readKeyValues(path.join(lab.runDir, name, 'state'));
}
