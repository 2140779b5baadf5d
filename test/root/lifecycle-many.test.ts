// kill, stop and rm of many containers with ONE command (`--all`, a name list): every container is handled,
// each gets its own result (also in --json), one bad name does not stop the others, and nothing is left:
// state dirs, cgroups, processes. rm's cgroup removal runs in the launcher (a host-only spec, --trace).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(300_000);
const describeRoot = canRun ? describe : describe.skip;

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function hacoAsync(lab: Lab, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(path.resolve(__dirname, '../../bin/haco'), args, { env: { ...process.env, ...lab.env, NO_COLOR: '1' }, cwd: lab.work, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status: status ?? 128, stdout, stderr }));
  });
}

/** Starts the containers 4 at a time; every start must succeed (its stderr is shown otherwise). */
async function startAll(lab: Lab, names: string[], body: string): Promise<number[]> {
  const files = names.map((n) => lab.def(n, body));
  for (const f of files) lab.haco(['plan', f]);
  const failed: string[] = [];
  for (let i = 0; i < files.length; i += 4) {
    const runs = await Promise.all(files.slice(i, i + 4).map((f) => hacoAsync(lab, ['start', '-d', f])));
    for (const r of runs) if (r.status !== 0) failed.push(r.stderr);
  }
  expect(failed).toEqual([]);
  return names.map((n) => Number(stateOf(lab, n)['pid']));
}

function gone(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

describeRoot('haco kill/stop/rm of many containers', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = makeLab();
  });
  afterAll(() => {
    lab.cleanup();
  });

  test('20 containers: kill -s KILL --all, then rm --all (--json), nothing left', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `${lab.tag}-a${i}`);
    const pids = await startAll(lab, names, `  .command(['/bin/sleep', '1000'])\n  .unshare('mount', 'uts', 'ipc', 'pid')\n  .pids(20)`);
    const kill = lab.haco(['kill', '-s', 'KILL', '--all', '--json']);
    expect({ status: kill.status, stderr: kill.stderr }).toEqual({ status: 0, stderr: '' });
    const killed = JSON.parse(kill.stdout) as Array<Record<string, unknown>>;
    expect(killed.map((k) => k['name']).sort()).toEqual([...names].sort());
    for (const k of killed) expect(k).toMatchObject({ ok: true, exitCode: 137, signal: 9 });
    for (const n of names) expect(stateOf(lab, n)['status']).toBe('exited');
    expect(await until(() => pids.every(gone))).toBe(true);

    const rm = lab.haco(['rm', '--all', '--json']);
    expect({ status: rm.status, stderr: rm.stderr }).toEqual({ status: 0, stderr: '' });
    const removed = JSON.parse(rm.stdout) as Array<Record<string, unknown>>;
    expect(removed.map((r) => r['name']).sort()).toEqual([...names].sort());
    for (const r of removed) expect(r['ok']).toBe(true);
    expect(fs.readdirSync(lab.runDir)).toEqual([]);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
  });

  test('a name list: stop of 10 at once, then rm of those 10 plus an unknown name (the 10 go, the unknown is reported)', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `${lab.tag}-l${i}`);
    const pids = await startAll(lab, names, `  .command(['/bin/sh', '-c', 'sleep 1000; : ${lab.tag}'])\n  .unshare('mount', 'uts', 'ipc', 'pid')\n  .reaper()`);
    const t0 = Date.now();
    const stop = lab.haco(['stop', ...names, '--timeout', '20']);
    expect({ status: stop.status, stderr: stop.stderr }).toEqual({ status: 0, stderr: '' });
    // In parallel: well under 10 sequential stops (TERM reaches sh through the reaper at once).
    expect(Date.now() - t0).toBeLessThan(15_000);
    for (const n of names) expect(stop.stdout).toMatch(new RegExp(`^${n} stopped: exit 143`, 'm'));
    expect(await until(() => pids.every(gone))).toBe(true);

    const missing = `${lab.tag}-nosuch`;
    const rm = lab.haco(['rm', ...names.slice(0, 5), missing, ...names.slice(5)]);
    expect(rm.status).toBe(5);
    expect(rm.stderr).toContain(`no container named "${missing}"`);
    for (const n of names) expect(rm.stdout).toMatch(new RegExp(`^removed ${n}$`, 'm'));
    expect(fs.readdirSync(lab.runDir)).toEqual([]);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
  });

  test('kill --all: a running container and a name are not both accepted; rm of a running one is refused and the others still go', async () => {
    const [run, done] = [`${lab.tag}-run`, `${lab.tag}-done`];
    await startAll(lab, [run], `  .command(['/bin/sleep', '1000'])\n  .unshare('mount', 'uts', 'ipc', 'pid')`);
    // Detached: its state stays after the exit, as `exited`.
    expect(lab.haco(['start', '-d', lab.def(done, `  .command(['/bin/true'])\n  .unshare('mount', 'uts', 'ipc', 'pid')`)]).status).toBe(0);
    expect(await until(() => stateOf(lab, done)['status'] === 'exited')).toBe(true);
    const both = lab.haco(['kill', '--all', run]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('not both');
    const rm = lab.haco(['rm', run, done]);
    expect(rm.status).toBe(5);
    expect(rm.stderr).toContain(`container "${run}" is running`);
    expect(fs.existsSync(path.join(lab.runDir, run))).toBe(true);
    expect(lab.haco(['kill', '-s', 'KILL', run]).status).toBe(0);
    expect(lab.haco(['rm', '--all']).status).toBe(0);
    expect(fs.readdirSync(lab.runDir)).toEqual([]);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
  });

  test('rm of a stale container: its cgroups removed by the launcher (--trace shows the lock and each rmdir)', async () => {
    const name = `${lab.tag}-st`;
    await startAll(lab, [name], `  .command(['/bin/sleep', '1000'])\n  .unshare('mount', 'uts', 'ipc', 'pid')\n  .pids(20)`);
    const st = stateOf(lab, name);
    const tracking = st['tracking']!;
    const supervisor = Number(st['supervisor']);
    // Watcher first, then the supervisor: nobody left to clean up; the pid namespace dies with its init.
    const children = fs.readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8').trim().split(' ').map(Number);
    process.kill(children.find((p) => p !== Number(st['pid']))!, 'SIGKILL');
    process.kill(supervisor, 'SIGKILL');
    process.kill(Number(st['pid']), 'SIGKILL');
    expect(await until(() => gone(supervisor) && gone(Number(st['pid'])))).toBe(true);
    expect(fs.existsSync(tracking)).toBe(true);
    const rm = lab.haco(['rm', '--trace', name]);
    expect(rm.status).toBe(0);
    expect(rm.stderr).toMatch(/flock\(\d+, LOCK_SH\|LOCK_NB\)/);
    expect(rm.stderr).toContain(`rmdir("${tracking}") = 0`);
    expect(fs.existsSync(tracking)).toBe(false);
    expect(fs.existsSync(path.join(lab.runDir, name))).toBe(false);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
  });
});
