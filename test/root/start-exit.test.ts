// `haco start` against the real kernel: exit statuses, signal forwarding, and what is left on the host
// (cgroups, mounts, processes) after a normal exit and after `kill -9` of the launcher.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { leftoverCgroups } from '../support/cgroup';
import { haco } from '../support/cli';
import { nsIdOf, processesWithNs } from '../support/procs';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';
import { containerInit, isAlive, startInBackground, until, type RunningStart } from '../support/start';

jest.setTimeout(60_000);

let ws: Workspace;
const running: RunningStart[] = [];

/** Every live process in the pid namespace with id NS (nsIdOf: compared by nsfs inode). */
const processesInPidNs = (ns: string): number[] => processesWithNs('pid', ns);

const mountsUnder = (dir: string): string[] =>
  fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(dir));

/** A container with a cgroup in every controller haco drives here, so leftovers can be looked for. */
const LIMITS = `.cpu('50%').memory('64M').pids(32)`;

describeStart('haco start: exit statuses, signals, and nothing left behind', () => {
  beforeAll(() => {
    ws = makeWorkspace('start-exit');
  });
  afterEach(async () => {
    for (const run of running.splice(0)) {
      run.kill();
      await run.exited;
    }
  });
  afterAll(() => ws?.cleanup());

  test("the container's exit status is haco's: exit 3 → 3, exit 0 → 0", () => {
    const name = uniqueName('exit');
    const file = ws.define(name, LIMITS);
    expect(haco(['start', file, '--', 'sh', '-c', 'exit 3'], { env: ws.env })).toExitWith(3);
    expect(haco(['start', file, '--', 'true'], { env: ws.env })).toExitWith(0);
    expect(leftoverCgroups(name)).toEqual([]);
  });

  test('a container killed by a signal: haco exits 128 + N', () => {
    // With --no-init, sh is PID 1 of its pid namespace and ignores signals it has no handler for, even its own.
    const r = haco(['start', '--no-init', ws.define(uniqueName('sig')), '--', 'sh', '-c', 'kill -USR1 $$; sleep 1'], { env: ws.env });
    // The default init makes it an ordinary process (PID 2), and reports its death as 128 + N.
    const r1 = haco(['start', ws.define(uniqueName('sig1')), '--', 'sh', '-c', 'kill -USR1 $$; sleep 1'], { env: ws.env });
    const r2 = haco(['start', ws.define(uniqueName('sig2'), `.share('pid')`), '--', 'sh', '-c', 'kill -USR1 $$; sleep 1'], { env: ws.env });
    expect(r1).toExitWith(128 + 10);
    expect(r2).toExitWith(128 + 10);
    expect(r).toExitWith(0); // the pid-1 sh survived its own SIGUSR1 and slept
  });

  test('a missing command: exit 5 and a message that names it, before anything is created', () => {
    const name = uniqueName('nocmd');
    const r = haco(['start', ws.define(name, LIMITS), '--', 'no-such-command-xyz', 'arg'], { env: ws.env });
    expect(r).toExitWith(5);
    expect(r.stderr).toMatch(/"no-such-command-xyz" is not in the rootfs/);
    expect(leftoverCgroups(name)).toEqual([]);
  });

  test.each([
    ['an unknown filesystem type', `.mount({ fstype: 'nosuchfs', source: 'none', target: '/mnt' })`, /mount none on \/mnt: ENODEV/],
    ['a bind of a missing host path', `.bind('/nonexistent-haco-test-path', '/mnt')`, /bind \/nonexistent-haco-test-path on \/mnt: ENOENT/],
  ])('a failing mount (%s): exit 125, the step and errno in stderr, nothing left', (_title, chain, message) => {
    const name = uniqueName('mntfail');
    const before = mountsUnder(ws.dir);
    const r = haco(['start', ws.define(name, `${LIMITS}${chain}`), '--', 'sh', '-c', 'echo should-not-run'], { env: ws.env });
    expect(r).toExitWith(125);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toMatch(/should-not-run/);
    expect(leftoverCgroups(name)).toEqual([]);
    expect(mountsUnder(ws.dir)).toEqual(before);
  });

  test('SIGTERM to the launcher is forwarded: the container traps it and haco exits with its status (42)', async () => {
    const name = uniqueName('term');
    const run = startInBackground(ws.define(name, LIMITS), ['sh', '-c', "trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done"], ws.env);
    running.push(run);
    await run.waitFor(/ready\n/);
    const init = await containerInit(run);
    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toExitWith(42);
    expect(isAlive(init)).toBe(false);
    expect(leftoverCgroups(name)).toEqual([]);
  });

  test('after a normal exit: no cgroup, no mount, no process of the container remains', async () => {
    const name = uniqueName('clean');
    const run = startInBackground(ws.define(name, LIMITS), ['sh', '-c', `sleep 30 & sleep 30 & echo ready; while [ ! -e /tmp/stop-${name} ]; do sleep 0.05; done`], ws.env);
    running.push(run);
    await run.waitFor(/ready\n/);
    const init = await containerInit(run);
    const pidNs = nsIdOf(init, 'pid')!;
    expect(processesInPidNs(pidNs).length).toBeGreaterThanOrEqual(3); // sh + two sleeps (+ the loop's sleep)
    expect(leftoverCgroups(name).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(ws.run, name))).toBe(true); // the state dir while it runs
    fs.writeFileSync(path.join(ws.rootfs, 'tmp', `stop-${name}`), '');
    expect(await run.exited).toExitWith(0);
    expect(isAlive(run.pid)).toBe(false);
    expect(processesInPidNs(pidNs)).toEqual([]); // the background sleeps died with their namespace
    expect(leftoverCgroups(name)).toEqual([]);
    expect(mountsUnder(ws.dir)).toEqual([]);
    expect(fs.existsSync(path.join(ws.run, name))).toBe(false);
  });

  test('after kill -9 of the launcher: the container dies with it; its cgroups and state dir are removed (cleanup watcher)', async () => {
    const name = uniqueName('kill9');
    const run = startInBackground(ws.define(name, LIMITS), ['sh', '-c', 'sleep 30 & echo ready; while :; do sleep 0.05; done'], ws.env);
    running.push(run);
    await run.waitFor(/ready\n/);
    const init = await containerInit(run);
    const pidNs = nsIdOf(init, 'pid')!;
    expect(processesInPidNs(pidNs).length).toBeGreaterThanOrEqual(2); // sh + sleep 30 (+ the loop's sleep)
    expect(fs.existsSync(path.join(ws.run, name))).toBe(true);
    process.kill(run.pid, 'SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    await until('the container processes to die', () => (processesInPidNs(pidNs).length === 0 ? true : undefined), 10_000);
    // The cgroups are removed by the launcher's cleanup watcher, not by the next `haco start`.
    await until(
      `the cgroups of ${name} to be removed (left: ${leftoverCgroups(name).join(', ')})`,
      () => (leftoverCgroups(name).length === 0 ? true : undefined),
      10_000,
    ).catch(() => undefined);
    expect(leftoverCgroups(name)).toEqual([]);
    expect(mountsUnder(ws.dir)).toEqual([]);
    await until('the state dir to be removed', () => (fs.existsSync(path.join(ws.run, name)) ? undefined : true), 5_000).catch(() => undefined);
    expect(fs.existsSync(path.join(ws.run, name))).toBe(false);
  });
});
