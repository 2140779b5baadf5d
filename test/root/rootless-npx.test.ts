// Issue 17's "done when", literally: a fresh ordinary user, in a checkout of their own, runs
//   npx haco create examples/first.haco.ts && npx haco start examples/first.haco.ts
// and gets a container whose root is the user and whose other ids are the user's subordinate range —
// once with a command, once on a terminal (the shell the README promises). Also: in a checkout the user
// may only read, npx cannot work (npm ≥ 9 links the checkout into the user's npx cache and chmods its
// bin/haco), and scripts/prepare.mjs says so instead of npm's "sudo chown ~/.npm" advice.
// The checkout is a copy of this one (tracked files + dist + the built launcher; node_modules shared
// read-only). ~25 s on the 2-core machine (each npx costs npm ~3 s).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../support/cli';
import { inPty, type PtySession } from '../support/pty';
import { describeStart } from '../support/rootfs';

jest.setTimeout(120_000);

const user = `hacorlnpx${process.pid % 100000}`;
const home = `/home/${user}`;
const checkout = path.join(home, 'haco');
const userEnv = ['env', '-i', `HOME=${home}`, `USER=${user}`, 'PATH=/usr/local/bin:/usr/bin:/bin', 'NO_COLOR=1', 'NPM_CONFIG_UPDATE_NOTIFIER=false'];
const sessions: PtySession[] = [];

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  command: string[];
}

function sh(argv: string[], cwd = '/'): Run {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 120_000, input: '', cwd });
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr + (r.error ? String(r.error) : ''), command: argv };
}

/** SCRIPT in sh as the user, in their checkout, with a login-like environment and nothing of the test's. */
const asUser = (script: string): Run => sh(['runuser', '-u', user, '--', ...userEnv, 'sh', '-c', `cd ${checkout} && ${script}`]);

function subStart(file: string): number {
  const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`${user} has no range in ${file}`);
  return Number(line.split(':')[1]);
}

const columns = (text: string): string[] => text.split('\n').map((l) => l.trim().split(/\s+/).join(' ')).filter(Boolean);

function processesOf(): string[] {
  return sh(['ps', '-o', 'pid=,args=', '-u', user]).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

describeStart('rootless: npx haco as a fresh user (issue 17, done when)', () => {
  let uid: number;
  let subuid: number;

  beforeAll(() => {
    expect(sh(['useradd', '-m', '-s', '/bin/sh', user])).toExitWith(0);
    uid = Number(sh(['id', '-u', user]).stdout.trim());
    subuid = subStart('/etc/subuid');
    // The checkout: what git tracks (and new files not yet committed) plus what scripts/setup.sh builds.
    const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' });
    expect(listed).toExitWith(0);
    const files = listed.stdout.split('\0').filter((f) => f && fs.existsSync(path.join(REPO, f)));
    const built = ['dist', 'native/build'].filter((f) => fs.existsSync(path.join(REPO, f)));
    fs.mkdirSync(checkout);
    expect(sh(['cp', '-a', '--parents', '-t', checkout, ...files, ...built], REPO)).toExitWith(0);
    // node_modules stays root's and read-only: linked when the user can reach it, else copied as root's.
    const reachable = sh(['runuser', '-u', user, '--', 'test', '-r', path.join(REPO, 'node_modules/typescript/package.json')]).status === 0;
    if (reachable) fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(checkout, 'node_modules'));
    else expect(sh(['cp', '-a', path.join(REPO, 'node_modules'), checkout])).toExitWith(0);
  });

  afterEach(() => {
    for (const t of sessions.splice(0)) t.kill();
  });

  afterAll(() => {
    for (const row of processesOf()) {
      try {
        process.kill(Number(row.split(' ')[0]), 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    sh(['userdel', '-r', '-f', user]);
    // The run dir of a user without a login session (src/state/paths.ts), which userdel does not know.
    if (uid > 0) fs.rmSync(`/tmp/haco-run-${uid}`, { recursive: true, force: true });
  });

  it('in a checkout the user can only read, npx stops with what to do instead', () => {
    // The copy is still root's here. Under a terminal, as a user types it: npm drops a failed prepare's
    // output, so scripts/prepare.mjs writes its message to the terminal.
    const r = sh(['runuser', '-u', user, '--', ...userEnv, 'script', '-qec', `cd ${checkout} && npx haco --version; echo "STATUS=$?"`, '/dev/null']);
    expect(r).toExitWith(0);
    expect(r.stdout).toContain(`haco: npx cannot run haco from ${checkout}`);
    expect(r.stdout).toContain(`Run ${checkout}/bin/haco directly`);
    expect(r.stdout).toMatch(/STATUS=[1-9]/);
    expect(r.stdout).not.toContain('haco 0.1');
    // What it says instead works for that user.
    expect(asUser('bin/haco --version').stdout).toMatch(/^haco \d/);
  });

  it('in the user\'s own checkout: npx haco create && npx haco start give root = the user, 1… = the subordinate range', () => {
    // The user's now; node_modules stays root's: npx only reads it.
    const entries = fs.readdirSync(checkout).filter((e) => e !== 'node_modules').map((e) => path.join(checkout, e));
    expect(sh(['chown', `${user}:${user}`, checkout])).toExitWith(0);
    expect(sh(['chown', '-R', '-h', `${user}:${user}`, ...entries])).toExitWith(0);
    // The earlier test's failed npx left npm's cache entry half made (as the message says).
    fs.rmSync(path.join(home, '.npm/_npx'), { recursive: true, force: true });

    const r = asUser(`npx haco create examples/first.haco.ts && npx haco start examples/first.haco.ts -- sh -c 'cat /proc/self/uid_map; id -u'`);
    expect(r).toExitWith(0);
    expect(r.stdout).toContain(`${home}/.local/share/haco/my-first/rootfs`);
    expect(columns(r.stdout).slice(-3)).toEqual([`0 ${uid} 1`, `1 ${subuid} 65536`, '0']);
    // first.haco.ts asks for limits; with no delegated cgroup the start says they are not applied.
    expect(r.stderr).toMatch(/notice \(rootless\): limits not applied/);
    // npx ran the checkout's own build (scripts/prepare.mjs skipped the rebuild) from the user's npx cache.
    const npx = fs.readdirSync(path.join(home, '.npm/_npx'));
    expect(npx).toHaveLength(1);
    expect(fs.realpathSync(path.join(home, '.npm/_npx', npx[0]!, 'node_modules/haco'))).toBe(checkout);
  });

  it('npx haco start on a terminal: an interactive shell as the namespace root', async () => {
    const t = inPty(`cd ${checkout} && npx haco start examples/first.haco.ts; echo "STATUS=$?"`, {}, { prefix: ['runuser', '-u', user, '--', ...userEnv], cwd: '/' });
    sessions.push(t);
    await t.waitFor(/# /, 30_000);
    t.send('cat /proc/self/uid_map; id -u; tty; exit 3\n');
    await t.waitFor(/STATUS=3/, 30_000);
    const lines = columns(t.output().replace(/\r/g, ''));
    expect(lines).toEqual(expect.arrayContaining([`0 ${uid} 1`, `1 ${subuid} 65536`, '0', '/dev/pts/0']));
    expect(await t.exited()).toBe(0);
  });

  it('destroys with npx too and leaves nothing of the user\'s running', () => {
    expect(asUser('npx haco destroy examples/first.haco.ts --yes')).toExitWith(0);
    expect(fs.readdirSync(path.join(home, '.local/share/haco'))).toEqual([]);
    for (let i = 0; i < 30 && processesOf().length > 0; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    expect(processesOf()).toEqual([]);
  });
});
