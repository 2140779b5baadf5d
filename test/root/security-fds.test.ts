// Which file descriptors reach a container. The caller of haco opens a host directory on fd 7 (as
// `exec 7</some/dir; haco start …` would): through it, /proc/self/fd/7/.. is the host's tree (runc's
// CVE-2024-21626). Every program haco starts — the container's command (foreground, detached, attach), a
// provision step, a host hook — must see fds 0-2 only, unless `--preserve-fds N` passes 3..3+N-1.
import { spawnSync } from 'node:child_process';
import { containerStateDir } from '../../src/state/state-root';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HACO_BIN } from '../support/cli';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(90_000);
const describeRoot = canRun ? describe : describe.skip;

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** bin/haco with `fds` (child fd number → an fd of ours) open on top of stdio, like a shell's `exec 7<dir`. */
function hacoWithFds(lab: Lab, args: string[], fds: Record<number, number>): Run {
  const top = Math.max(2, ...Object.keys(fds).map(Number));
  const stdio: (string | number)[] = ['pipe', 'pipe', 'pipe'];
  for (let i = 3; i <= top; i++) stdio.push(fds[i] ?? 'ignore');
  const env: Record<string, string> = { ...(process.env as Record<string, string>), NO_COLOR: '1', ...lab.env };
  const r = spawnSync(HACO_BIN, args, { cwd: lab.work, env, encoding: 'utf8', input: '', stdio: stdio as never, timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** The fds a listing printed (one per line), sorted numerically. */
const fdList = (out: string): number[] =>
  out
    .split(/\s+/)
    .filter((w) => /^\d+$/.test(w))
    .map(Number)
    .sort((a, b) => a - b);

/** fd → link target of a host process, from /proc/PID/fd. */
function fdsOf(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      out[fd] = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

describeRoot('security: no fd of the caller reaches a container', () => {
  let lab: Lab;
  let secret: string; // a host directory the container must not reach
  let dirFd: number;
  /** The run, or an error that shows its output: a failing test must say why. */
  const ok = (r: Run): Run => {
    if (r.status !== 0) throw new Error(`haco exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };

  beforeAll(() => {
    lab = makeLab();
    secret = path.join(lab.work, 'host-secret');
    fs.mkdirSync(secret);
    fs.writeFileSync(path.join(secret, 'key'), 'host-only\n');
    dirFd = fs.openSync(secret, 'r');
  });
  afterAll(() => {
    if (dirFd !== undefined) fs.closeSync(dirFd);
    lab?.cleanup();
  });

  test('control: the fd really reaches haco (the wrapper and node pass it on)', () => {
    ok(hacoWithFds(lab, ['version'], { 7: dirFd }));
    // The same spawn, a shell instead of haco: fd 7 is the host directory.
    const sh = spawnSync('/bin/sh', ['-c', 'readlink /proc/$$/fd/7'], { stdio: ['pipe', 'pipe', 'pipe', 'ignore', 'ignore', 'ignore', 'ignore', dirFd], encoding: 'utf8' });
    expect(sh.stdout.trim()).toBe(secret);
  });

  test('foreground start: the command sees fds 0 1 2 only (3 is ls reading /proc/self/fd)', () => {
    const file = lab.def(`${lab.tag}-fg`, `  .unshare('mount', 'uts', 'ipc', 'pid')`);
    const r = ok(hacoWithFds(lab, ['start', file, '--', 'ls', '/proc/self/fd'], { 7: dirFd }));
    expect({ status: r.status, fds: fdList(r.stdout) }).toEqual({ status: 0, fds: [0, 1, 2, 3] });
    const probe = hacoWithFds(lab, ['start', file, '--', 'cat', '/proc/self/fd/7/key'], { 7: dirFd });
    expect(probe).not.toExitWith(0);
    expect(probe.stdout).not.toContain('host-only');
    expect(lab.leftovers()).toEqual([]);
  });

  test('foreground start with a reaper: neither PID 1 (the reaper) nor the command keep it', () => {
    const file = lab.def(`${lab.tag}-rp`, `  .unshare('mount', 'uts', 'ipc', 'pid').reaper()`);
    const r = ok(hacoWithFds(lab, ['start', file, '--', 'sh', '-c', 'ls /proc/1/fd; echo --; ls /proc/self/fd'], { 7: dirFd }));
    const [init, self] = r.stdout.split('--');
    expect({ init: fdList(init ?? ''), self: fdList(self ?? '') }).toEqual({ init: [0, 1, 2], self: [0, 1, 2, 3] });
  });

  test('start -d: the init and the supervisor hold nothing of the caller', async () => {
    const name = `${lab.tag}-bg`;
    const file = lab.def(name, `  .unshare('mount', 'uts', 'ipc', 'pid')\n  .command(['sleep', '60'])`);
    ok(hacoWithFds(lab, ['start', '-d', file], { 7: dirFd }));
    expect(await until(() => stateOf(lab, name)['status'] === 'running')).toBe(true);
    const { pid, supervisor } = stateOf(lab, name);
    const init = fdsOf(Number(pid));
    expect({ fds: Object.keys(init).map(Number).sort((a, b) => a - b), init }).toEqual({ fds: [0, 1, 2], init: expect.any(Object) });
    const sup = fdsOf(Number(supervisor));
    expect(Object.entries(sup).filter(([, target]) => target.startsWith(secret))).toEqual([]);

    // attach, with the same fd open: the attached command sees 0-2 as well.
    const a = ok(hacoWithFds(lab, ['attach', name, '--', 'ls', '/proc/self/fd'], { 7: dirFd }));
    expect({ status: a.status, fds: fdList(a.stdout) }).toEqual({ status: 0, fds: [0, 1, 2, 3] });
    // attach --preserve-fds 1 passes fd 3 (a file here) and sets its own LISTEN_FDS.
    const passed = fs.openSync(path.join(secret, 'key'), 'r');
    try {
      const p = ok(hacoWithFds(lab, ['attach', '--preserve-fds', '1', name, '--', 'sh', '-c', 'cat <&3; echo "$LISTEN_FDS $LISTEN_PID $$"; ls /proc/self/fd/7 2>&1; true'], { 3: passed, 7: dirFd }));
      const lines = p.stdout.trim().split('\n');
      expect(lines[0]).toBe('host-only');
      const [fdsVar, pidVar, shPid] = (lines[1] ?? '').split(' ');
      expect({ fdsVar, same: pidVar === shPid }).toEqual({ fdsVar: '1', same: true });
      expect(lines[2]).toMatch(/No such file/);
    } finally {
      fs.closeSync(passed);
    }
    expect(lab.haco(['kill', name])).toExitWith(0);
    expect(await until(() => stateOf(lab, name)['status'] === 'exited')).toBe(true);
  });

  test('--preserve-fds 1 passes fd 3 only, with LISTEN_FDS=1 and LISTEN_PID = the command', () => {
    const file = lab.def(`${lab.tag}-pf`, `  .unshare('mount', 'uts', 'ipc', 'pid')`);
    const passed = fs.openSync(path.join(secret, 'key'), 'r');
    try {
      // --no-init: the command is PID 1 (the default init would make it PID 2, checked below).
      const r = ok(hacoWithFds(lab, ['start', '--no-init', '--preserve-fds', '1', file, '--', 'sh', '-c', 'ls /proc/self/fd | tr "\\n" " "; echo; cat <&3; echo "$LISTEN_FDS $LISTEN_PID $$"'], { 3: passed, 7: dirFd }));
      const lines = r.stdout.trim().split('\n');
      // 0-2, 3 (the passed file), 4 (ls reading /proc/self/fd); not 7.
      expect({ fds: fdList(lines[0] ?? ''), content: lines[1], listen: lines[2] }).toEqual({ fds: [0, 1, 2, 3, 4], content: 'host-only', listen: '1 1 1' });

      // With a reaper the command is PID 2: LISTEN_PID follows it.
      const reaped = lab.def(`${lab.tag}-pr`, `  .unshare('mount', 'uts', 'ipc', 'pid').reaper().preserveFds(1)`);
      const rr = ok(hacoWithFds(lab, ['start', reaped, '--', 'sh', '-c', 'echo "$LISTEN_FDS $LISTEN_PID $$"; ls /proc/1/fd | tr "\\n" " "'], { 3: passed }));
      const [listen, initFds] = rr.stdout.trim().split('\n');
      expect({ listen, init: fdList(initFds ?? '') }).toEqual({ listen: '1 2 2', init: [0, 1, 2] });
    } finally {
      fs.closeSync(passed);
    }
  });

  test('--preserve-fds outside 0..6 is a usage error that says the range', () => {
    const file = lab.def(`${lab.tag}-bad`, `  .unshare('mount', 'uts', 'ipc', 'pid')`);
    const r = hacoWithFds(lab, ['start', '--preserve-fds', '7', file, '--', 'true'], {});
    expect(r).not.toExitWith(0);
    expect(r.stderr).toMatch(/--preserve-fds must be a whole number from 0 to 6/);
  });

  test('hooks on the host (beforeStart, afterExit) and in the container (beforeExec) see fds 0-2 only', () => {
    const out = path.join(lab.work, 'hook-fds');
    const file = lab.def(
      `${lab.tag}-hk`,
      `  .unshare('mount', 'uts', 'ipc', 'pid')
  .hook('beforeStart', 'ls /proc/self/fd | tr "\\\\n" " " > ${out}.before')
  .hook('afterExit', 'ls /proc/self/fd | tr "\\\\n" " " > ${out}.after')
  .hook('beforeExec', 'ls /proc/self/fd | tr "\\\\n" " " >&2')`,
    );
    const r = ok(hacoWithFds(lab, ['start', file, '--', 'true'], { 7: dirFd }));
    // `ls` lists its own directory fd (3) too; stdout redirected to a file is fd 1.
    expect({ before: fdList(fs.readFileSync(`${out}.before`, 'utf8')), after: fdList(fs.readFileSync(`${out}.after`, 'utf8')), inside: fdList(r.stderr) }).toEqual({
      before: [0, 1, 2, 3],
      after: [0, 1, 2, 3],
      inside: [0, 1, 2, 3],
    });
  });

  test('a provision step (run through the launcher) sees fds 0-2 only', () => {
    const file = lab.def(`${lab.tag}-pv`, `  .unshare('mount', 'uts', 'ipc', 'pid')\n  .provision((p) => p.step('fds', 'ls /proc/self/fd > /fds-seen'))`);
    try {
      ok(hacoWithFds(lab, ['provision', file], { 7: dirFd }));
      expect(fdList(fs.readFileSync(path.join(lab.rootfs, 'fds-seen'), 'utf8'))).toEqual([0, 1, 2, 3]);
    } finally {
      // The provision record lives beside the default rootfs (/var/lib/haco/NAME), outside the lab.
      fs.rmSync(containerStateDir(`${lab.tag}-pv`), { recursive: true, force: true });
    }
  });
});
