// A container on a real terminal (through `script`, as a user at a keyboard): its own pty from its own
// devpts, job control, exit statuses, window size, Ctrl-C, and the user's terminal put back afterwards.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readState } from '../../src/state';
import { HACO_BIN } from '../support/cli';
import { inPty, type PtySession } from '../support/pty';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';
import { until } from '../support/start';

jest.setTimeout(60_000);

let ws: Workspace;
const sessions: PtySession[] = [];
/** inPty, remembered so that a failed check does not leave a terminal (and its container) behind. */
const pty = (command: string): PtySession => {
  const t = inPty(command, ws.env);
  sessions.push(t);
  return t;
};

/** The running container's recorded pids (init and launcher), once it runs. */
async function running(name: string): Promise<{ pid: number; supervisor: number }> {
  return until(`${name} running`, () => {
    const s = readState(name, ws.run);
    return s?.recorded.status === 'running' && s.recorded.pid > 0 ? { pid: s.recorded.pid, supervisor: s.recorded.supervisor } : undefined;
  });
}

describeStart('haco start on a terminal', () => {
  beforeAll(() => {
    ws = makeWorkspace('tty');
  });
  afterEach(() => {
    // script's end hangs up its terminal: the launcher gets SIGHUP and forwards it to the container.
    for (const t of sessions.splice(0)) t.kill();
  });
  afterAll(() => ws.cleanup());

  test('a shell with a terminal of its own: tty names /dev/pts/N, exit 3 gives 3', async () => {
    const t = pty(`"$HACO" start ${ws.define(uniqueName('sh'))}; echo "STATUS=$?"`);
    await t.waitFor(/# /);
    t.send('tty; echo "sid=$(cut -d" " -f6 /proc/self/stat)"; exit 3\n');
    await t.waitFor(/STATUS=3/);
    // Numbered inside the container's own devpts instance, not the host's.
    expect(t.output()).toMatch(/\n\/dev\/pts\/0\r*\n/);
    expect(t.output()).not.toMatch(/not a tty|Cannot set tty process group|can't access tty/);
    expect(await t.exited()).toBe(0);
  });

  test('job control: sleep 100 &, fg, Ctrl-Z stops it, jobs shows it', async () => {
    const t = pty(`"$HACO" start ${ws.define(uniqueName('jobs'))}; echo "STATUS=$?"`);
    await t.waitFor(/# /);
    t.send('sleep 100 &\n');
    t.send('jobs\n');
    await t.waitFor(/\[1\]\+?\s+Running\s+sleep 100/);
    t.send('fg\n');
    await t.waitFor(/fg\r*\nsleep 100/);
    await new Promise((r) => setTimeout(r, 300));
    t.send('\x1a'); // Ctrl-Z
    await t.waitFor(/Stopped\s+sleep 100/);
    // Back to the foreground, and Ctrl-C ends it: the terminal's SIGINT goes to the shell's foreground job.
    t.send('fg\n');
    await t.waitFor(/fg\r*\nsleep 100\r*\n/, 15_000, t.output().lastIndexOf('Stopped'));
    await new Promise((r) => setTimeout(r, 300));
    t.send('\x03');
    await new Promise((r) => setTimeout(r, 300));
    t.send('jobs; exit 7\n');
    await t.waitFor(/STATUS=7/);
    expect(await t.exited()).toBe(0);
  });

  test('the window size inside follows the terminal, at start and after a resize', async () => {
    const ttyFile = path.join(ws.dir, 'outer-tty');
    const t = pty(`tty > ${ttyFile}; stty rows 45 cols 123; "$HACO" start ${ws.define(uniqueName('winch'))}; echo "STATUS=$?"`);
    await t.waitFor(/# /);
    t.send('stty size\n');
    await t.waitFor(/\n45 123\r*\n/);
    // Resizing the outer terminal sends SIGWINCH to its foreground group: the launcher copies the size.
    const outer = fs.readFileSync(ttyFile, 'utf8').trim();
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('stty', ['-F', outer, 'rows', '30', 'cols', '99'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const mark = t.output().length;
    await new Promise((r2) => setTimeout(r2, 300));
    t.send('stty size; exit\n');
    await t.waitFor(/\n30 99\r*\n/, 10_000, mark);
    await t.waitFor(/STATUS=0/);
    await t.exited();
  });

  test('Ctrl-C ends `sleep 30` at once (the default init forwards it), status 130', async () => {
    const name = uniqueName('int');
    const t = pty(`"$HACO" start ${ws.define(name)} -- sleep 30; echo "STATUS=$?"`);
    await running(name);
    const t0 = Date.now();
    t.send('\x03');
    await t.waitFor(/STATUS=130/, 5_000);
    expect(Date.now() - t0).toBeLessThan(3_000);
    await t.exited();
  });

  test('--no-init: the command is PID 1 itself', async () => {
    const t = pty(`"$HACO" start --no-init ${ws.define(uniqueName('noinit'))} -- sh -c 'echo "pid=$$"'; echo "STATUS=$?"`);
    await t.waitFor(/STATUS=0/);
    expect(t.output()).toMatch(/pid=1\r*\n/);
    await t.exited();
  });

  test('start -d -t: the supervisor keeps the terminal; attach, Ctrl-P Ctrl-Q detaches, attach again, exit 9', async () => {
    const name = uniqueName('console');
    const { spawnSync } = await import('node:child_process');
    const started = spawnSync(HACO_BIN, ['start', '-d', '-t', ws.define(name)], { env: { ...process.env, ...ws.env }, encoding: 'utf8' });
    expect(started.stderr).toBe('');
    await running(name);
    const a = pty(`"$HACO" attach ${name}; echo "STATUS=$?"`);
    await new Promise((r) => setTimeout(r, 500));
    a.send('echo hello-$((6*7)); tty\n');
    await a.waitFor(/hello-42\r*\n\/dev\/pts\/0/);
    a.send('\x10\x11'); // Ctrl-P Ctrl-Q
    await a.waitFor(/detached from .*\r*\nSTATUS=0/);
    expect(readState(name, ws.run)?.status).toBe('running');
    const b = pty(`"$HACO" attach ${name}; echo "STATUS=$?"`);
    await new Promise((r) => setTimeout(r, 500));
    b.send('exit 9\n');
    await b.waitFor(/STATUS=9/);
    const log = fs.readFileSync(path.join(ws.run, name, 'container.log'), 'utf8');
    expect(log).toMatch(/ stdout [FP] hello-42\n/);
    expect(log).toMatch(/ haco F exited status=9\n/);
  });

  test.each([
    ['the container init', 'pid'],
    ['the launcher itself (its cleanup watcher restores)', 'supervisor'],
  ] as const)('the terminal settings are restored after kill -9 of %s', async (_what, which) => {
    const name = uniqueName('k9');
    const before = path.join(ws.dir, `${name}.before`);
    const after = path.join(ws.dir, `${name}.after`);
    const t = pty(`stty -g > ${before}; "$HACO" start ${ws.define(name)} -- sleep 60; echo "STATUS=$?"; sleep 1; stty -g > ${after}; echo SAVED`);
    const pids = await running(name);
    // Raw now (the launcher relays): the settings differ from the saved ones.
    process.kill(pids[which], 'SIGKILL');
    await t.waitFor(/SAVED/, 15_000);
    expect(t.output()).toMatch(which === 'pid' ? /STATUS=137/ : /STATUS=137/);
    expect(fs.readFileSync(after, 'utf8')).toBe(fs.readFileSync(before, 'utf8'));
    await t.exited();
  });
});
