// haco reload and the stale-cgroup sweep are executed by the launcher from host-only specs: real detached
// containers, values read back from the kernel (cgroup files, /proc/PID/limits), --trace showing the steps.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliResult } from '../support/cli';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(120_000);
const describeRoot = canRun ? describe : describe.skip;

/** A wrong status fails with the command's output, not just "Expected 0". */
function expectStatus(r: CliResult, status: number): void {
  if (r.status !== status) throw new Error(`expected status ${status}, got ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
}

const MiB = 1024 * 1024;
const v1Memory = fs.existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes');
const memsw = v1Memory && fs.existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes');

/** The container's memory and memory+swap limits as the kernel reports them (v1), or memory.max/swap.max (v2). */
function memoryLimits(name: string): { max: number; swapOrMemsw: number } {
  if (v1Memory) {
    const dir = path.join('/sys/fs/cgroup/memory/haco', name);
    const read = (f: string) => Number(fs.readFileSync(path.join(dir, f), 'utf8').trim());
    return { max: read('memory.limit_in_bytes'), swapOrMemsw: memsw ? read('memory.memsw.limit_in_bytes') : NaN };
  }
  const dir = path.join('/sys/fs/cgroup/haco', name);
  return { max: Number(fs.readFileSync(path.join(dir, 'memory.max'), 'utf8')), swapOrMemsw: Number(fs.readFileSync(path.join(dir, 'memory.swap.max'), 'utf8')) };
}

function limitsOf(pid: number, label: string): [string, string] {
  const m = new RegExp(`^${label}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'));
  if (!m) throw new Error(`no "${label}" line in /proc/${pid}/limits`);
  return [m[1]!, m[2]!];
}

/** The haco cgroup directories of NAME that exist now, in every hierarchy. */
function cgroupsOf(name: string): string[] {
  const parents = ['/sys/fs/cgroup/haco', ...fs.readdirSync('/sys/fs/cgroup').map((h) => path.join('/sys/fs/cgroup', h, 'haco'))];
  return [...new Set(parents.map((p) => path.join(p, name)).filter((d) => fs.existsSync(d)))];
}

/** Children of PID (from /proc/N/stat's ppid field). */
function childrenOf(pid: number): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(d)] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Leaves NAME's cgroups behind as a launcher killed with its watcher would (SIGSTOP the supervisor so it
 * cannot react, SIGKILL its watcher and itself; the init dies of PDEATHSIG), then backdates them past the
 * sweep's 30 s grace period. Returns the directories left.
 */
async function killLeavingCgroups(lab: Lab, name: string): Promise<string[]> {
  const state = stateOf(lab, name);
  const supervisor = Number(state['supervisor']);
  const init = Number(state['pid']);
  process.kill(supervisor, 'SIGSTOP');
  for (const child of childrenOf(supervisor)) if (child !== init) process.kill(child, 'SIGKILL');
  process.kill(supervisor, 'SIGKILL');
  const dirs = cgroupsOf(name);
  expect(await until(() => dirs.every((d) => fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8') === ''))).toBe(true);
  const old = new Date(Date.now() - 120_000);
  for (const d of dirs) fs.utimesSync(d, old, old);
  return dirs;
}

describeRoot('haco reload through the launcher', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = makeLab();
  });
  afterAll(() => {
    lab.cleanup();
  });

  test('raising memory past the old memsw, lowering it, and rlimits, traced', async () => {
    const name = `${lab.tag}-mem`;
    const body = (max: number, swap: number, nofile: string) =>
      `  .command(['/bin/sh', '-c', 'while :; do sleep 1; done'])\n  .unshare('mount', 'uts', 'ipc', 'pid')\n  .memory({ max: '${max}M', swap: '${swap}M' })\n  .rlimit('nofile', ${nofile})`;
    const file = lab.def(name, body(64, 64, '1024, 4096'));
    // Raising a hard rlimit needs CAP_SYS_RESOURCE, which this machine's root may lack: soft up, hard down.
    const start = lab.haco(['start', '-d', file]);
    expectStatus(start, 0);
    const pid = Number(stateOf(lab, name)['pid']);
    expect(memoryLimits(name).max).toBe(64 * MiB);
    if (memsw) expect(memoryLimits(name).swapOrMemsw).toBe(128 * MiB);
    expect(limitsOf(pid, 'Max open files')).toEqual(['1024', '4096']);

    // 64M (memsw 128M) → 256M (memsw 320M): the new limit is above the old memsw, so memsw goes first.
    lab.def(name, body(256, 64, '2048, 4096'));
    // --spec prints what the launcher would run and changes nothing.
    const shown = lab.haco(['reload', '--spec', file]);
    expectStatus(shown, 0);
    expect(shown.stdout).toMatch(/^haco-launch 1$/m);
    expect(shown.stdout).toMatch(/^host-only$/m);
    expect(shown.stdout).toContain(`prlimit ${pid} NOFILE 2048 4096\n`);
    expect(memoryLimits(name).max).toBe(64 * MiB);
    const raise = lab.haco(['reload', '--trace', file]);
    expectStatus(raise, 0);
    expect(memoryLimits(name).max).toBe(256 * MiB);
    if (memsw) expect(memoryLimits(name).swapOrMemsw).toBe(320 * MiB);
    expect(limitsOf(pid, 'Max open files')).toEqual(['2048', '4096']);
    expect(raise.stderr).toMatch(new RegExp(`\\[haco\\] prlimit\\(${pid}, RLIMIT_NOFILE, \\{rlim_cur=2048, rlim_max=4096\\}, NULL\\) = 0`));
    if (v1Memory && memsw) {
      const memswAt = raise.stderr.indexOf('memory.memsw.limit_in_bytes", "335544320") = 0');
      const limitAt = raise.stderr.indexOf('memory.limit_in_bytes", "268435456") = 0');
      expect(memswAt).toBeGreaterThan(-1);
      expect(limitAt).toBeGreaterThan(memswAt);
    }
    expect(raise.stdout).toMatch(/rlimit NOFILE: 1024:4096 → 2048:4096/);

    // 256M (memsw 320M) → 32M (memsw 48M): the limit goes first, memsw never below it.
    lab.def(name, body(32, 16, '512, 2048'));
    const lower = lab.haco(['reload', '--trace', file]);
    expectStatus(lower, 0);
    expect(memoryLimits(name).max).toBe(32 * MiB);
    if (memsw) expect(memoryLimits(name).swapOrMemsw).toBe(48 * MiB);
    expect(limitsOf(pid, 'Max open files')).toEqual(['512', '2048']);
    if (v1Memory && memsw) {
      const limitAt = lower.stderr.indexOf('memory.limit_in_bytes", "33554432") = 0');
      const memswAt = lower.stderr.indexOf('memory.memsw.limit_in_bytes", "50331648") = 0');
      expect(limitAt).toBeGreaterThan(-1);
      expect(memswAt).toBeGreaterThan(limitAt);
    }

    // Without --trace: quiet; a refusal by the kernel comes back with the launcher's step, errno and hint.
    lab.def(name, body(32, 16, "'unlimited', 'unlimited'"));
    const quiet = lab.haco(['reload', file]);
    // NOFILE can never exceed /proc/sys/fs/nr_open, whatever the capabilities: unlimited is refused.
    expect(quiet).toExitWith(125);
    expect(quiet.stderr).toMatch(new RegExp(`prlimit ${pid} NOFILE unlimited unlimited: EPERM`));
    expect(quiet.stderr).toMatch(/CAP_SYS_RESOURCE|nr_open/);
    expect(limitsOf(pid, 'Max open files')).toEqual(['512', '2048']);

    expectStatus(lab.haco(['kill', name, '--timeout', '5']), 0);
    expectStatus(lab.haco(['rm', name]), 0);
    expect(cgroupsOf(name)).toEqual([]);
  });

  test('the stale cgroups of a dead container are removed by the launcher: haco prune NAME, and a start of that name', async () => {
    const name = `${lab.tag}-dead`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'while :; do sleep 1; done'])\n  .unshare('mount', 'uts', 'ipc', 'pid')\n  .memory('32M')\n  .pids(64)`);
    expectStatus(lab.haco(['start', '-d', file]), 0);
    const dirs = await killLeavingCgroups(lab, name);
    expect(dirs.length).toBeGreaterThan(0);
    expect(stateOf(lab, name)['status']).toBe('running'); // as recorded: its supervisor died before saying otherwise

    const pruned = lab.haco(['prune', '--trace', name]);
    expectStatus(pruned, 0);
    for (const d of dirs) expect(pruned.stderr).toContain(`[haco] rmdir("${d}") = 0`);
    expect(pruned.stdout).toMatch(new RegExp(`removed ${dirs.length} leftover cgroup`));
    expect(cgroupsOf(name)).toEqual([]);
    expectStatus(lab.haco(['rm', name]), 0);

    // A start of the same name removes its own leftovers first (a stale state does not stop a start).
    expectStatus(lab.haco(['start', '-d', file]), 0);
    const again = await killLeavingCgroups(lab, name);
    expect(again.sort()).toEqual(dirs.sort());
    const start = lab.haco(['start', '--trace', file, '--', '/bin/true']);
    expectStatus(start, 0);
    const sweep = start.stderr.slice(0, start.stderr.indexOf('container ' + name));
    for (const d of again) expect(sweep).toContain(`[haco] rmdir("${d}") = 0`);
    expect(cgroupsOf(name)).toEqual([]);
    await until(() => lab.leftovers().length === 0);
    expect(lab.leftovers()).toEqual([]);
  });
});
