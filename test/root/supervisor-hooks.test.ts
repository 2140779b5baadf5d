// The supervisor's hooks (docs/lifecycle.md, "Hooks"): real detached containers on a busybox rootfs. Each
// hook appends a line to a file on the host, so the test reads what ran, in which order and with which
// environment; readiness is read back through `haco ps`, an OOM kill comes from the kernel (a small memory
// limit and a process that allocates past it), USR1 is sent to the supervisor with `haco kill --supervisor`.
// About 15 s in all.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(120_000);
const describeRoot = canRun ? describe : describe.skip;

const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

describeRoot('supervisor hooks', () => {
  let lab: Lab;
  let out: string;
  beforeAll(() => {
    lab = makeLab();
    out = path.join(lab.work, 'hooks.out');
  });
  afterAll(() => {
    const left = lab.leftovers();
    lab.cleanup();
    expect(left).toEqual([]);
  });

  /** `.hook(POINT, …)` appending "POINT name=… pid-set=yes|no" to the out file. */
  const note = (point: string) => `.hook('${point}', 'echo "$HACO_POINT name=$HACO_NAME pid-set=$([ -n "$HACO_PID" ] && echo yes || echo no)" >> ${out}')`;

  test('every launch point runs in order, with HACO_POINT; the supervisor runs afterStart and beforeCleanup', async () => {
    const name = `supervisor-${lab.tag}-pts`;
    const points = ['setup', 'beforeStart', 'afterSpawn', 'afterNetworkCreated', 'afterStart', 'beforeCleanup', 'afterExit'];
    // Inside the child: the rootfs has no path to the out file after the root switch, so those hooks write into
    // the container's own /tmp, read back from the host below.
    const hostPath = path.join(lab.rootfs, 'tmp/inside.out');
    const inside = (point: string) => `.hook('${point}', 'if [ -d ${lab.rootfs}/tmp ]; then f=${hostPath}; else f=/tmp/inside.out; fi; echo ${point} >> $f')`;
    const file = lab.def(name, `  ${points.map(note).join('\n  ')}\n  ${['afterSpawnChild', 'afterNetworkInitialized', 'beforeChroot', 'afterChroot', 'beforeExec'].map(inside).join('\n  ')}`);
    fs.rmSync(path.join(lab.rootfs, 'tmp/inside.out'), { force: true });
    const r = lab.haco(['start', file, '--', 'true']);
    expect(r).toExitWith(0);
    expect(read(out).trim().split('\n')).toEqual([
      `setup name=${name} pid-set=no`,
      `beforeStart name=${name} pid-set=no`,
      `afterSpawn name=${name} pid-set=yes`,
      `afterNetworkCreated name=${name} pid-set=yes`,
      `afterStart name=${name} pid-set=yes`,
      `beforeCleanup name=${name} pid-set=yes`,
      `afterExit name=${name} pid-set=no`,
    ]);
    // The child's points, in order; beforeChroot still sees the host's tree (so it wrote by the host path).
    expect(read(path.join(lab.rootfs, 'tmp/inside.out')).trim().split('\n')).toEqual(['afterSpawnChild', 'afterNetworkInitialized', 'beforeChroot', 'afterChroot', 'beforeExec']);
  });

  test('a hook past .hookTimeout() is killed with its process group, and the start fails with a message naming it', () => {
    const name = `supervisor-${lab.tag}-tmo`;
    const marker = path.join(lab.work, 'tmo.pid');
    const file = lab.def(name, `  .hookTimeout(300)\n  .hook('beforeStart', 'sleep 30 & echo $! > ${marker}; wait')`);
    const started = Date.now();
    const r = lab.haco(['start', file, '--', 'true']);
    expect(r).toExitWith(125);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stderr).toContain('hook-at beforeStart');
    expect(r.stderr).toContain('killed after 300 ms');
    expect(r.stderr).toContain('.hookTimeout(ms)');
    // The background sleep was in the hook's process group: it is gone too.
    const pid = Number(read(marker).trim());
    expect(pid).toBeGreaterThan(1);
    expect(fs.existsSync(`/proc/${pid}`) && !/\) Z /.test(read(`/proc/${pid}/stat`))).toBe(false);
  });

  test('timers run every interval, count times; readiness on a port shows in ps and --wait-ready waits for it', async () => {
    const name = `supervisor-${lab.tag}-tmr`;
    const ticks = path.join(lab.work, 'ticks.out');
    const file = lab.def(name, `  .timer(100, 'echo "$HACO_POINT $HACO_PID" >> ${ticks}', { count: 3 })\n  .readiness({ port: 8081 }, { timeoutMs: 10000, intervalMs: 50 })`);
    // The port opens after 1 s: --wait-ready returns only then.
    const started = Date.now();
    const r = lab.haco(['start', '-d', '--wait-ready', file, '--', 'sh', '-c', 'sleep 1; nc -l -p 8081 & sleep 60']);
    expect(r).toExitWith(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(r.stdout).toMatch(new RegExp(`^${name} ready after \\d+ ms$`, 'm'));
    const ps = lab.haco(['ps']);
    expect(ps).toExitWith(0);
    expect(ps.stdout).toMatch(new RegExp(`^${name}\\s+running, ready\\s`, 'm'));
    const pid = stateOf(lab, name)['pid'];
    expect(await until(() => read(ticks).split('\n').filter(Boolean).length >= 3, 5000)).toBe(true);
    await new Promise((res) => setTimeout(res, 400)); // a fourth tick would have come by now
    expect(read(ticks).trim().split('\n')).toEqual([`timer ${pid}`, `timer ${pid}`, `timer ${pid}`]);
    expect(read(path.join(lab.runDir, name, 'container.log'))).toMatch(/ haco F ready: port 8081 listens$/m);
    expect(lab.haco(['kill', '-s', 'KILL', name])).toExitWith(0);
    expect(lab.haco(['rm', name])).toExitWith(0);
  });

  test('a readiness probe that never passes: ps says "not ready", --wait-ready exits 5', () => {
    const name = `supervisor-${lab.tag}-nrd`;
    const file = lab.def(name, `  .readiness({ command: 'false' }, { timeoutMs: 500, intervalMs: 100 })`);
    const r = lab.haco(['start', '-d', '--wait-ready', file, '--', 'sleep', '60']);
    expect(r).toExitWith(5);
    expect(r.stderr).toContain('did not become ready (not ready after 500 ms)');
    const ps = lab.haco(['ps']);
    expect(ps.stdout).toMatch(new RegExp(`^${name}\\s+running, not ready\\s`, 'm'));
    expect(lab.haco(['kill', '-s', 'KILL', name])).toExitWith(0);
    expect(lab.haco(['rm', name])).toExitWith(0);
  });

  test('an OOM kill runs the onOom command and is written to the container log', async () => {
    const name = `supervisor-${lab.tag}-oom`;
    const events = path.join(lab.work, 'oom.out');
    const file = lab.def(name, `  .memory({ max: '16M', swap: '0' })\n  .onOom('echo "$HACO_POINT $HACO_NAME" >> ${events}')`);
    // The allocation runs in a child shell: the OOM killer takes it, the init goes on sleeping.
    const r = lab.haco(['start', '-d', file, '--', 'sh', '-c', 'sleep 0.3; (head -c 209715200 /dev/zero | tail) ; sleep 60']);
    expect(r).toExitWith(0);
    expect(await until(() => read(events).includes(`oom ${name}`), 10_000)).toBe(true);
    expect(read(path.join(lab.runDir, name, 'container.log'))).toMatch(/ haco F event oom in \/sys\/fs\/cgroup\//m);
    expect(lab.haco(['kill', '-s', 'KILL', name])).toExitWith(0);
    expect(lab.haco(['rm', name])).toExitWith(0);
  });

  test('USR1 sent to the supervisor runs the onSignal command; the container never sees it', async () => {
    const name = `supervisor-${lab.tag}-sig`;
    const got = path.join(lab.work, 'usr1.out');
    const file = lab.def(name, `  .onSignal('USR1', 'echo "$HACO_POINT $HACO_PID" >> ${got}')`);
    // The container's init would die of an unhandled USR1 (the default action): it must keep running.
    const r = lab.haco(['start', '-d', file, '--', 'sleep', '60']);
    expect(r).toExitWith(0);
    const pid = stateOf(lab, name)['pid'];
    await new Promise((res) => setTimeout(res, 200)); // the event process is up right after the start; give it a moment
    const k = lab.haco(['kill', '--supervisor', '-s', 'USR1', name]);
    expect(k).toExitWith(0);
    expect(k.stdout).toContain('sent signal 10 to its supervisor');
    expect(await until(() => read(got).includes(`USR1 ${pid}`), 5000)).toBe(true);
    expect(stateOf(lab, name)['status']).toBe('running');
    expect(lab.haco(['ps']).stdout).toMatch(new RegExp(`^${name}\\s+running\\s+${pid}\\s`, 'm'));
    // --supervisor only takes USR1 or USR2: a TERM is refused with a usage error.
    expect(lab.haco(['kill', '--supervisor', '-s', 'TERM', name])).toExitWith(2);
    expect(lab.haco(['kill', '-s', 'KILL', name])).toExitWith(0);
    expect(lab.haco(['rm', name])).toExitWith(0);
  });
});
