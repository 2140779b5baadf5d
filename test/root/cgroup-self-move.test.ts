// cgroup v1 `spawn-cgroup` (native/src/cgroup_move.c): the launcher moves itself into the container's cgroups
// ("0" into tasks), clones the container's first process there and moves itself back. Checked from the kernel's
// side: the supervisor of a detached container ends in exactly the cgroups it started in (here a pids cgroup of
// this test's own, not the root, so the way back is a real path), the init is in the container's; `haco attach`
// runs its command born in them the same way; a container at its pids limit still lets attach in (cgroup-join:
// a move is not checked against pids.max, a fork is). About 10 s.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cgroupHost } from '../support/cgroup';
import { HACO_BIN } from '../support/cli';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(60_000);
const describeRoot = canRun ? describe : describe.skip;

describeRoot('the launcher moves itself into the container\'s cgroups and back', () => {
  let lab: Lab;
  let home: string;
  const host = cgroupHost();
  const pidsMount = host.v1?.hierarchies['pids'];

  /** Runs SH_ARGS (`exec`ed) from a shell that first moved itself into HOME (the pids cgroup to return to). */
  const fromHome = (argv: string[]) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...lab.env };
    delete env['NODE_EXTRA_CA_CERTS'];
    const r = spawnSync('sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', home, ...argv], { env: env as NodeJS.ProcessEnv, cwd: lab.work, encoding: 'utf8', input: '' });
    return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr, command: argv };
  };
  const cgroupOf = (pid: number | string) => fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');

  beforeAll(() => {
    lab = makeLab();
    // On a pure v2 host there is no pids hierarchy of its own: the launcher never leaves its cgroup there
    // (clone3 CLONE_INTO_CGROUP), and HOME is the test's own cgroup.
    home = pidsMount ? path.join(pidsMount, `${lab.tag}-home`) : path.join(host.v2!.path, cgroupOf('self').match(/^0::(.*)$/m)![1]!);
    if (pidsMount) fs.mkdirSync(home);
  });
  afterAll(async () => {
    lab.cleanup();
    if (pidsMount) {
      // Our own shells and the supervisor were in it: gone once they have exited.
      await until(() => {
        try {
          fs.rmdirSync(home);
          return true;
        } catch (e) {
          return (e as NodeJS.ErrnoException).code === 'ENOENT';
        }
      });
    }
  });

  test('start -d: the supervisor ends in exactly its own cgroups, the init is born in the container\'s; attach too', async () => {
    const name = `${lab.tag}-home`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'sleep 1000; : ${lab.tag}'])\n  .unshare('mount', 'uts', 'ipc', 'pid')`);
    const own = fromHome(['cat', '/proc/self/cgroup']);
    expect(own).toExitWith(0);
    if (pidsMount) expect(own.stdout).toContain(`:pids:/${lab.tag}-home\n`);
    const started = fromHome([HACO_BIN, 'start', '-d', '--trace', file]);
    expect(started).toExitWith(0);
    expect(await until(() => stateOf(lab, name)['status'] === 'running')).toBe(true);
    const state = stateOf(lab, name);
    // The launcher (now the supervisor) is where it started, in every hierarchy.
    expect(cgroupOf(state['supervisor']!)).toBe(own.stdout);
    const dirs = (state['cgroups'] ?? '').split(',').filter(Boolean);
    const init = cgroupOf(state['pid']!);
    if (pidsMount) {
      expect(init).toContain(`:pids:/haco/${name}\n`);
      // Born there: the trace shows the self-moves and the way back, no cgroup.procs write.
      expect(started.stderr).toContain(`write("${pidsMount}/haco/${name}/tasks", "0")`);
      expect(started.stderr).toContain(`write("${home}/tasks", "0")`);
      expect(started.stderr).not.toContain('cgroup.procs');
    }
    for (const dir of dirs) expect(fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n')).toContain(state['pid']);

    // attach, through Node (writes the template) and then the C front: the command is where the init is.
    for (const round of ['node', 'front']) {
      const a = fromHome([HACO_BIN, 'attach', '--trace', name, '--', 'cat', '/proc/self/cgroup']);
      expect({ round, ...a }).toExitWith(0);
      expect({ round, cgroup: a.stdout }).toEqual({ round, cgroup: init });
      if (pidsMount) {
        expect({ round, moved: a.stderr.includes(`write("${pidsMount}/haco/${name}/tasks", "0")`), joined: a.stderr.includes('cgroup.procs') }).toEqual({ round, moved: true, joined: false });
      }
    }
    // The same template from another cgroup (this test's own): the launcher reads where it is at run time
    // and returns there, not to the cgroup of whoever wrote the template.
    if (pidsMount) {
      const mine = cgroupOf('self').match(/^\d+:(?:[^:]*,)?pids(?:,[^:]*)?:(.*)$/m)![1]!;
      const a = lab.haco(['attach', '--trace', name, '--', 'cat', '/proc/self/cgroup']);
      expect(a).toExitWith(0);
      expect({ back: a.stderr.includes(`write("${path.join(pidsMount, mine, 'tasks')}", "0")`), home: a.stderr.includes(home) }).toEqual({ back: true, home: false });
    }
    expect(cgroupOf(state['supervisor']!)).toBe(own.stdout);
    expect(lab.haco(['kill', '-s', 'KILL', name])).toExitWith(0);
  });

  test('a container at its pids limit: attach still gets in (cgroup-join), the limit stays', async () => {
    const name = `${lab.tag}-full`;
    // sh + two sleeps: pids.max 3 reached.
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'sleep 1000 & sleep 1000 & wait; : ${lab.tag}'])\n  .unshare('mount', 'uts', 'ipc', 'pid')\n  .pids(3)`);
    const started = lab.haco(['start', '-d', file]);
    expect(started).toExitWith(0);
    expect(await until(() => stateOf(lab, name)['status'] === 'running')).toBe(true);
    const dirs = (stateOf(lab, name)['cgroups'] ?? '').split(',').filter(Boolean);
    const pidsDir = dirs.find((d) => fs.existsSync(path.join(d, 'pids.max')))!;
    expect(await until(() => fs.readFileSync(path.join(pidsDir, 'pids.current'), 'utf8').trim() === '3')).toBe(true);
    const a = lab.haco(['attach', '--trace', name, '--', 'cat', '/proc/self/cgroup']);
    expect(a).toExitWith(0);
    expect(a.stderr).toContain(`${pidsDir}/cgroup.procs`);
    expect(a.stderr).not.toContain(`write("${pidsDir}/tasks"`);
    expect(fs.readFileSync(path.join(pidsDir, 'pids.max'), 'utf8').trim()).toBe('3');
    expect(lab.haco(['kill', '-s', 'KILL', name])).toExitWith(0);
  });
});
