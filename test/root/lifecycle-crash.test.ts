// kill -9 of a detached supervisor and of a foreground launcher must leave nothing: the cleanup watcher
// (native/src/supervise.c) sees its pipe close, kills what is left in the container's cgroups, removes
// them and records the exit. Also: the restart policy, and hooks (a failing beforeStart leaves nothing).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(120_000);
const describeRoot = canRun ? describe : describe.skip;

describeRoot('haco lifecycle: crashes, restarts, hooks', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = makeLab();
  });
  afterAll(() => {
    lab.cleanup();
  });
  const gone = (pid: number) => !fs.existsSync(`/proc/${pid}`) || /^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));

  test('kill -9 of the detached supervisor: container, cgroups gone; state says exited', async () => {
    const name = `${lab.tag}-k9d`;
    // No pid namespace: the init's death does not take its children, the watcher must kill them.
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'sleep 1000 & sleep 1000; : ${lab.tag}'])\n  .share('pid')\n  .pids(50)`);
    const r = lab.haco(['start', '-d', file]);
    expect(r.stderr).toBe('');
    const st = stateOf(lab, name);
    const tracking = st['tracking']!;
    expect(await until(() => fs.readFileSync(path.join(tracking, 'cgroup.procs'), 'utf8').trim().split('\n').length >= 3)).toBe(true);
    const members = fs.readFileSync(path.join(tracking, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number);
    process.kill(Number(st['supervisor']), 'SIGKILL');
    expect(await until(() => stateOf(lab, name)['status'] === 'exited')).toBe(true);
    expect(stateOf(lab, name)['reason']).toBe('supervisor killed');
    expect(await until(() => members.every(gone))).toBe(true);
    expect(fs.existsSync(tracking)).toBe(false);
    const ps = JSON.parse(lab.haco(['ps', '-a', '--json']).stdout) as Array<Record<string, unknown>>;
    expect(ps.find((x) => x['name'] === name)).toMatchObject({ status: 'exited' });
    expect(lab.haco(['rm', name])).toExitWith(0);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
  });

  test('rm of a stale container kills what its dead supervisor left and removes the cgroups', async () => {
    const name = `${lab.tag}-orph`;
    // No pid namespace: the background sleep outlives its init.
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'sleep 1000 & sleep 1000; : ${lab.tag}'])\n  .share('pid')\n  .pids(50)`);
    expect(lab.haco(['start', '-d', file]).stderr).toBe('');
    const st = stateOf(lab, name);
    const tracking = st['tracking']!;
    const supervisor = Number(st['supervisor']);
    expect(await until(() => fs.readFileSync(path.join(tracking, 'cgroup.procs'), 'utf8').trim().split('\n').length >= 3)).toBe(true);
    const members = fs.readFileSync(path.join(tracking, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number);
    // Take the cleanup watcher away first, then the supervisor: nobody is left to clean up.
    const children = fs.readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8').trim().split(' ').map(Number);
    const watcher = children.find((p) => p !== Number(st['pid']))!;
    process.kill(watcher, 'SIGKILL');
    process.kill(supervisor, 'SIGKILL');
    expect(await until(() => (JSON.parse(lab.haco(['ps', '-a', '--json']).stdout) as Array<Record<string, unknown>>).find((x) => x['name'] === name)?.['status'] === 'stale')).toBe(true);
    expect(members.some((p) => !gone(p))).toBe(true); // the orphan is still running
    const rm = lab.haco(['rm', name]);
    expect(rm.stderr).toBe('');
    expect(rm.stdout).toMatch(new RegExp(`^removed ${name} \\(killed [1-9]\\d* process\\(es\\) its supervisor left, [1-9]\\d* leftover cgroup\\(s\\)\\)$`, 'm'));
    expect(await until(() => members.every(gone))).toBe(true);
    expect(fs.existsSync(tracking)).toBe(false);
    expect(fs.existsSync(path.join(lab.runDir, name))).toBe(false);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
  });

  test('kill -9 of a foreground launcher: nothing left, state dir removed', async () => {
    const name = `${lab.tag}-k9f`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'sleep 1000; : ${lab.tag}'])\n  .unshare('mount', 'uts', 'ipc', 'pid', 'net')`);
    const child = spawn(path.resolve(__dirname, '../../bin/haco'), ['start', file], { env: { ...process.env, ...lab.env }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    expect(await until(() => stateOf(lab, name)['status'] === 'running')).toBe(true);
    const st = stateOf(lab, name);
    expect(Number(st['supervisor'])).toBe(child.pid); // the wrapper exec'd the launcher: no node left
    const pid = Number(st['pid']);
    const tracking = st['tracking']!;
    child.kill('SIGKILL');
    await exited;
    expect(await until(() => !fs.existsSync(path.join(lab.runDir, name)))).toBe(true);
    expect(await until(() => gone(pid))).toBe(true);
    expect(await until(() => !fs.existsSync(tracking))).toBe(true);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
  });

  test('a state left by a crash (supervisor pid gone or reused) is stale, never running', () => {
    const name = `${lab.tag}-stale`;
    const dir = path.join(lab.runDir, name);
    fs.mkdirSync(dir, { recursive: true });
    // pid 1 exists but did not start at tick 1: a reused pid.
    fs.writeFileSync(path.join(dir, 'state'), `name=${name}\nstatus=running\nsupervisor=1\nsupervisor_start=1\npid=1\npid_start=1\nstarted=1\n`);
    const ps = JSON.parse(lab.haco(['ps', '-a', '--json']).stdout) as Array<Record<string, unknown>>;
    expect(ps.find((x) => x['name'] === name)).toMatchObject({ status: 'stale', pid: null });
    expect(lab.haco(['kill', name])).toExitWith(5);
    expect(lab.haco(['rm', name])).toExitWith(0);
    expect(fs.existsSync(dir)).toBe(false);
  });

  test('restart on-failure with back-off, up to maxRetries; exit code recorded', async () => {
    const name = `${lab.tag}-rst`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'echo run; sleep 0.2; exit 3'])\n  .unshare('mount', 'uts', 'ipc', 'pid')\n  .restart('on-failure', { maxRetries: 2, backoffMs: 100 })`);
    const t0 = Date.now();
    expect(lab.haco(['start', '-d', file])).toExitWith(0);
    expect(await until(() => stateOf(lab, name)['status'] === 'exited', 20_000)).toBe(true);
    const elapsed = Date.now() - t0;
    const st = stateOf(lab, name);
    expect(st['exit_code']).toBe('3');
    expect(st['restarts']).toBe('2');
    expect(elapsed).toBeGreaterThanOrEqual(3 * 200 + 100 + 200); // three runs, back-off 100 then 200 ms
    expect(lab.haco(['logs', name]).stdout).toBe('run\nrun\nrun\n');
    expect(lab.haco(['rm', name])).toExitWith(0);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
  });

  test('restart always is stopped by haco kill (no restart after it)', async () => {
    const name = `${lab.tag}-alw`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'sleep 1000; : ${lab.tag}'])\n  .unshare('mount', 'uts', 'ipc', 'pid')\n  .reaper()\n  .restart('always', { backoffMs: 50 })`);
    expect(lab.haco(['start', '-d', file])).toExitWith(0);
    const k = lab.haco(['kill', name, '--timeout', '5']);
    expect(k.stderr).toBe('');
    expect(k).toExitWith(0);
    expect(stateOf(lab, name)).toMatchObject({ status: 'exited', restarts: '0', reason: 'stopped' });
    expect(lab.haco(['rm', name])).toExitWith(0);
  });

  test('hooks fire with HACO_* variables; beforeExec runs inside; afterFailure on failure', async () => {
    const name = `${lab.tag}-hk`;
    const out = path.join(lab.work, 'hooks.log');
    const log = (label: string) => `['/bin/sh', '-c', 'echo ${label} $HACO_NAME pid=$HACO_PID rootfs=$HACO_ROOTFS state=$HACO_STATE_DIR code=$HACO_EXIT_CODE >> ${out}']`;
    const file = lab.def(
      name,
      `  .command(['/bin/sh', '-c', 'exit 4'])\n  .unshare('mount', 'uts', 'ipc', 'pid')\n  .bind(${JSON.stringify(lab.work)}, ${JSON.stringify(lab.work)})` +
        `\n  .hook('beforeStart', ${log('beforeStart')})\n  .hook('afterSpawn', ${log('afterSpawn')})` +
        `\n  .hook('beforeExec', ['/bin/sh', '-c', 'echo beforeExec $(hostname) >> ${out}'])` +
        `\n  .hook('afterExit', ${log('afterExit')})\n  .hook('afterFailure', ${log('afterFailure')})`,
    );
    const r = lab.haco(['start', file]);
    expect(r).toExitWith(4);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    const dir = path.join(lab.runDir, name);
    expect(lines[0]).toBe(`beforeStart ${name} pid= rootfs=${lab.rootfs} state=${dir} code=`);
    expect(lines[1]).toMatch(new RegExp(`^afterSpawn ${name} pid=\\d+ rootfs=`));
    expect(lines[2]).toBe(`beforeExec ${name}`);
    expect(lines[3]).toBe(`afterExit ${name} pid= rootfs=${lab.rootfs} state=${dir} code=`);
    expect(lines[4]).toBe(`afterFailure ${name} pid= rootfs=${lab.rootfs} state=${dir} code=4`);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
  });

  test('a failing beforeStart hook aborts cleanly: reported, nothing left', async () => {
    const name = `${lab.tag}-hf`;
    const file = lab.def(name, `  .command(['/bin/true'])\n  .unshare('mount', 'uts', 'ipc', 'pid')\n  .pids(20)\n  .hook('beforeStart', ['/bin/false'])`);
    for (const args of [['start', file], ['start', '-d', file]]) {
      const r = lab.haco(args);
      expect(r).toExitWith(125);
      expect(r.stderr).toMatch(/hook-at beforeStart \/bin\/false: exited with status 1/);
      expect(fs.existsSync(path.join(lab.runDir, name))).toBe(false);
      expect(lab.leftovers()).toEqual([]);
    }
  });
});
