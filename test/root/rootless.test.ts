// Rootless haco (docs/rootless.md), as ordinary users this test creates: one with subordinate id ranges
// (useradd gives them from /etc/login.defs) and one without. Each runs the real CLI through runuser with
// a clean environment, so its data lands under ~/.local/share/haco and its state under its own run dir.
// ~40 s on the 2-core machine (two busybox bootstraps, five starts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chapterFiles, rootlessMarks, TUTORIAL_DIR } from '../support/tutorial-marks';

const repo = path.resolve(__dirname, '../..');
const haco = path.join(repo, 'bin/haco');
const suffix = String(process.pid % 100000);
const withRanges = `hacorl${suffix}a`;
const without = `hacorl${suffix}b`;

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  command: string[];
}

function sh(argv: string[]): Run {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr + (r.error ? String(r.error) : ''), command: argv };
}

/** haco as USER: a login-like environment and nothing of the test's (no HACO_* overrides). */
function as(user: string, args: string[], input?: string): Run {
  const home = `/home/${user}`;
  const argv = ['runuser', '-u', user, '--', 'env', '-i', `HOME=${home}`, `USER=${user}`, 'PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', 'NO_COLOR=1', haco, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000, input: input ?? '', cwd: '/' });
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr + (r.error ? String(r.error) : ''), command: argv };
}

function uidOf(user: string): number {
  return Number(sh(['id', '-u', user]).stdout.trim());
}

function subStart(file: string, user: string): number | undefined {
  const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  return line ? Number(line.split(':')[1]) : undefined;
}

/** The user's processes as "PID ARGS", so a failing check shows what was left. */
function processesOf(user: string): string[] {
  const r = sh(['ps', '-o', 'pid=,args=', '-u', user]);
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

function mountsMentioning(text: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(text));
}

describe('rootless: an ordinary user runs containers of their own', () => {
  let dir: string;
  let file: string;
  let uidA: number;
  let subuidA: number;

  beforeAll(() => {
    for (const [user, extra] of [[withRanges, []], [without, ['-K', 'SUB_UID_COUNT=0', '-K', 'SUB_GID_COUNT=0']]] as const) {
      expect(sh(['useradd', '-m', '-s', '/bin/sh', ...extra, user])).toExitWith(0);
    }
    uidA = uidOf(withRanges);
    subuidA = subStart('/etc/subuid', withRanges)!;
    expect(subuidA).toBeGreaterThan(0);
    expect(subStart('/etc/subuid', without)).toBeUndefined();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rootless-'));
    fs.chmodSync(dir, 0o755);
    file = path.join(dir, 'rl.haco.ts');
    fs.writeFileSync(
      file,
      `import { defineContainer } from 'haco';
const base = defineContainer('rl-base').bootstrap((b) => b.busybox()).memory('64M').command(['/bin/sh']);
export default [base, defineContainer('rl-ovl').rootfs('/var/lib/haco/rl-ovl/rootfs', { lower: base }).command(['/bin/sh'])];
`,
    );
    fs.chmodSync(file, 0o644);
  });

  afterAll(() => {
    for (const user of [withRanges, without]) {
      const uid = uidOf(user);
      // Only processes of the users this test made; none should be left (the last test checks it).
      for (const row of processesOf(user)) {
        try {
          process.kill(Number(row.split(' ')[0]), 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      sh(['userdel', '-r', '-f', user]);
      // The run dir a user without a login session gets (src/state/paths.ts), which userdel does not know.
      if (uid > 0) fs.rmSync(path.join(os.tmpdir(), `haco-run-${uid}`), { recursive: true, force: true });
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates under the user\'s data dir and starts with root mapped to the user and 1… to the subordinate range', () => {
    const created = as(withRanges, ['create', file]);
    expect(created).toExitWith(0);
    expect(created.stdout).toContain(`/home/${withRanges}/.local/share/haco/rl-base/rootfs`);
    const r = as(withRanges, ['start', `${file}#rl-base`, '--', '/bin/sh', '-c', 'cat /proc/self/uid_map; id -u; mkdir /home/u; chown 1000:1000 /home/u; echo x > /home/u/f; chown 1000 /home/u/f; touch /root/mine']);
    expect(r).toExitWith(0);
    expect(r.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual([`0 ${uidA} 1`, `1 ${subuidA} 65536`, '0', '']);
    // The limit cannot be applied here (no delegated cgroup) and the start says so.
    expect(r.stderr).toMatch(/notice \(rootless\): limits not applied: \.memory\(\)/);
    const rootfs = `/home/${withRanges}/.local/share/haco/rl-base/rootfs`;
    expect(fs.statSync(path.join(rootfs, 'home/u/f')).uid).toBe(subuidA + 999);
    expect(fs.statSync(path.join(rootfs, 'home/u')).gid).toBe(subStart('/etc/subgid', withRanges)! + 999);
    expect(fs.statSync(path.join(rootfs, 'root/mine')).uid).toBe(uidA);
    // plan and explain tell the same notice.
    expect(as(withRanges, ['plan', `${file}#rl-base`]).stdout).toContain('limits not applied: .memory()');
    expect(as(withRanges, ['explain', `${file}#rl-base`]).stdout).toContain('notice (rootless): limits not applied: .memory()');
  });

  it('mounts the overlay rootfs unprivileged (userxattr): writes land in the upper dir, the lower stays', () => {
    const r = as(withRanges, ['start', `${file}#rl-ovl`, '--', '/bin/sh', '-c', 'echo new > /added; rm /etc/hostname; grep " / " /proc/self/mountinfo']);
    expect(r).toExitWith(0);
    expect(r.stdout).toMatch(/ overlay .*userxattr/);
    const home = `/home/${withRanges}/.local/share/haco`;
    expect(fs.readFileSync(path.join(home, 'rl-ovl/upper/added'), 'utf8')).toBe('new\n');
    expect(fs.existsSync(path.join(home, 'rl-base/rootfs/etc/hostname'))).toBe(true);
    expect(fs.existsSync(path.join(home, 'rl-base/rootfs/added'))).toBe(false);
  });

  it('runs detached: ps, logs, attach, kill, rm — and another user can neither see nor attach to it', () => {
    const target = `${file}#rl-base`;
    expect(as(withRanges, ['start', '-d', target, '--', '/bin/sh', '-c', 'echo hello-log; trap "exit 0" TERM; while :; do sleep 1; done'])).toExitWith(0);
    const ps = as(withRanges, ['ps']);
    expect(ps).toExitWith(0);
    expect(ps.stdout).toMatch(/rl-base\s+running/);
    expect(as(withRanges, ['logs', 'rl-base']).stdout).toContain('hello-log');
    const attached = as(withRanges, ['attach', 'rl-base', '--', '/bin/sh', '-c', 'id -u; cat /proc/1/cmdline | tr "\\0" " "']);
    expect(attached).toExitWith(0);
    expect(attached.stdout).toContain('0\n/bin/sh -c echo hello-log');

    // The other user: their own (empty) run dir, and the first user's state is not theirs to read.
    expect(as(without, ['ps']).stdout).not.toContain('rl-base');
    const other = as(without, ['attach', 'rl-base', '--', '/bin/true']);
    expect(other.status).not.toBe(0);
    expect(other.stderr).toMatch(/rl-base/);
    const runDir = path.join(os.tmpdir(), `haco-run-${uidA}`);
    const sneaky = spawnSync('runuser', ['-u', without, '--', 'env', '-i', `HOME=/home/${without}`, 'PATH=/usr/bin:/bin', `HACO_RUN_DIR=${runDir}`, 'NO_COLOR=1', haco, 'attach', 'rl-base', '--', '/bin/true'], { encoding: 'utf8', timeout: 60_000 });
    expect(sneaky.status).not.toBe(0);
    expect(sneaky.stdout).not.toContain('uid=');

    expect(as(withRanges, ['kill', 'rl-base'])).toExitWith(0);
    expect(as(withRanges, ['rm', 'rl-base'])).toExitWith(0);
    expect(as(withRanges, ['ps', '-a']).stdout).not.toContain('rl-base');
  });

  it('without subordinate ids: a single-id map, with a notice saying what that cannot do', () => {
    expect(as(without, ['create', `${file}#rl-base`])).toExitWith(0);
    const r = as(without, ['start', `${file}#rl-base`, '--', '/bin/sh', '-c', 'cat /proc/self/uid_map; chown 1000 /tmp 2>/dev/null || echo chown-refused']);
    expect(r).toExitWith(0);
    expect(r.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual([`0 ${uidOf(without)} 1`, 'chown-refused', '']);
    expect(r.stderr).toContain(`notice (rootless): single-id user namespace: ${without} has no subordinate uids in /etc/subuid`);
  });

  it('runs the files of every tutorial chapter marked "rootless: yes"', () => {
    const chapters = Object.entries(rootlessMarks(TUTORIAL_DIR)).filter(([, mark]) => mark === 'yes').map(([chapter]) => chapter);
    expect(chapters.length).toBeGreaterThan(0);
    for (const chapter of chapters) {
      for (const rel of chapterFiles(chapter)) {
        const def = path.join(repo, rel);
        const plan = as(withRanges, ['plan', def, '--json']);
        expect(plan).toExitWith(0);
        const names = (JSON.parse(plan.stdout) as { containers: Array<{ name: string }> }).containers.map((c) => c.name);
        expect(as(withRanges, ['create', def])).toExitWith(0);
        for (const name of names) {
          const r = as(withRanges, ['start', `${def}#${name}`, '--', '/bin/sh', '-c', 'echo "$0 ok"', `${chapter}#${name}`]);
          expect(r).toExitWith(0);
          expect(r.stdout).toBe(`${chapter}#${name} ok\n`);
        }
        expect(as(withRanges, ['destroy', def, '--yes'])).toExitWith(0);
      }
    }
  });

  it('destroys its own trees, subordinate-owned files included, and leaves nothing behind', () => {
    for (const user of [withRanges, without]) {
      expect(as(user, ['destroy', file, '--yes'])).toExitWith(0);
      expect(fs.readdirSync(`/home/${user}/.local/share/haco`)).toEqual([]);
      // A supervisor killed by an earlier test may take a moment to finish exiting: up to 3 s, then what is left is a leak.
      for (let i = 0; i < 30 && processesOf(user).length > 0; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      expect(processesOf(user)).toEqual([]);
    }
    expect(mountsMentioning(`/home/${withRanges}`)).toEqual([]);
    expect(fs.readdirSync(path.join(os.tmpdir(), `haco-run-${uidA}`))).toEqual([]);
  });
});
