import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HACO_BIN } from '../support/cli';
import { processGroupMembers } from '../support/procs';
import { watchOutput } from '../support/watch-output';
import { makeSandbox, type Sandbox } from '../unit/bootstrap/support/sandbox';

describe('bootstrap: shell and post steps', () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = makeSandbox('shell');
  });
  afterAll(() => sb.remove());

  it('runs the script with $ROOTFS (the temporary tree) and post steps after it', () => {
    const rootfs = path.join(sb.dir, 'sh/rootfs');
    const file = sb.def(
      'sh',
      `export default defineContainer('sh').rootfs(${JSON.stringify(rootfs)})
        .bootstrap((b) => b.shell('mkdir -p "$ROOTFS/bin" && cp /bin/busybox "$ROOTFS/bin/" && ln -s busybox "$ROOTFS/bin/sh" && echo "$ROOTFS" > "$ROOTFS/built-in" && echo built')
          .post('one', 'echo one > "$ROOTFS/one"').post('two', 'cat "$ROOTFS/one" > "$ROOTFS/two"'));`,
    );
    const r = sb.run(['create', file]);
    expect(r).toExitWith(0);
    expect(r.stderr).toContain('[bootstrap.shell] built');
    expect(fs.readFileSync(path.join(rootfs, 'built-in'), 'utf8').trim()).toBe(`${rootfs}.haco-new-${fs.readFileSync(path.join(rootfs, 'built-in'), 'utf8').trim().split('-').pop()}`);
    expect(fs.readFileSync(path.join(rootfs, 'two'), 'utf8')).toBe('one\n');
    expect(fs.readdirSync(path.join(sb.dir, 'sh'))).toEqual(['rootfs']);

    // started for real: the files the script and the post steps wrote are the root's
    const s = sb.start(file, ['/bin/sh', '-c', 'cat /two; /bin/busybox ls /; exit 4']);
    expect(s).toExitWith(4);
    expect(s.stdout.split('\n')[0]).toBe('one');
    expect(s.stdout).toContain('built-in');
    expect(sb.leftovers('sh')).toEqual([]);
  });

  it('a failing script or post step leaves nothing behind', () => {
    for (const [name, bootstrap] of [
      ['bad-script', `b.shell('mkdir "$ROOTFS/etc"; false')`],
      ['bad-post', `b.busybox().post('oops', 'exit 3')`],
    ]) {
      const file = sb.def(name!, `export default defineContainer('${name}').rootfs(${JSON.stringify(path.join(sb.dir, name!, 'rootfs'))}).bootstrap((b) => ${bootstrap});`);
      const r = sb.run(['create', file]);
      expect(r).toExitWith(1);
      expect(r.stderr).toMatch(/(bootstrap\.shell|post\.oops) failed with exit code \d; the partial rootfs was removed/);
      expect(fs.existsSync(path.join(sb.dir, name!))).toBe(false);
    }
  });

  /** `haco create FILE` in a process group of its own (as a shell job is), its output watched. */
  const createInBackground = (file: string) => {
    const child = spawn(HACO_BIN, ['create', file], {
      cwd: sb.dir,
      detached: true,
      env: { ...process.env, HACO_STATE_ROOT: sb.state, HACO_NO_CACHE: '1', CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child.pid!);
    return { child, run: watchOutput(child, ['haco', 'create', file]) };
  };
  const started: number[] = [];
  afterEach(() => {
    // A failed check must not leave a build running: SIGKILL to the groups this file started.
    for (const pid of started.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  // The script writes the pid of its shell — the leader of the process group haco gives every tool it
  // runs — before the marker line; the test signals only after the marker, so the build is known to be
  // inside the step (its SIGINT handler in place, the group complete) and the group can be checked after.
  const slowScript = (pidFile: string, sleep: string) =>
    `echo $$ > ${JSON.stringify(pidFile)}; touch "$ROOTFS/half"; (sleep ${sleep}; :) & echo started; sleep ${sleep}`;

  it('Ctrl-C (SIGINT to the process group) stops the build and removes the partial tree', async () => {
    const pidFile = path.join(sb.dir, 'slow.pid');
    const file = sb.def('slow', `export default defineContainer('slow').rootfs(${JSON.stringify(path.join(sb.dir, 'slow/rootfs'))}).bootstrap((b) => b.shell(${JSON.stringify(slowScript(pidFile, '30'))}));`);
    const { child, run } = createInBackground(file);
    await run.waitFor('[bootstrap.shell] started');
    expect(fs.existsSync(path.join(sb.dir, 'slow'))).toBe(true);
    process.kill(-child.pid!, 'SIGINT');
    // 'close' waits for node itself (it holds the pipes), not only for haco's front process.
    const closed = await run.closed(10_000);
    expect({ code: closed.status, signal: closed.signal, interrupted: closed.stderr.includes('interrupted by SIGINT') }).toEqual({ code: 130, signal: null, interrupted: true });
    expect(processGroupMembers(Number(fs.readFileSync(pidFile, 'utf8')))).toEqual([]);
    expect(fs.existsSync(path.join(sb.dir, 'slow'))).toBe(false);
  }, 60_000);

  it.each([
    ['SIGINT to the process group (Ctrl-C)', 'SIGINT', 'group'],
    ["SIGTERM to haco's own pid (bin/haco execs the launcher's front, which passes it to node)", 'SIGTERM', 'haco'],
    ["SIGHUP to haco's own pid", 'SIGHUP', 'haco'],
  ] as const)('%s ends the tool and its grandchildren: nothing orphaned, nothing half-made', async (_what, sig, target) => {
    const name = `orph${sig.toLowerCase().slice(3)}`;
    const pidFile = path.join(sb.dir, `${name}.pid`);
    const file = sb.def(name, `export default defineContainer('${name}').rootfs(${JSON.stringify(path.join(sb.dir, name, 'rootfs'))}).bootstrap((b) => b.shell(${JSON.stringify(slowScript(pidFile, '300'))}));`);
    const { child, run } = createInBackground(file);
    await run.waitFor('[bootstrap.shell] started');
    const group = Number(fs.readFileSync(pidFile, 'utf8'));
    // sh, the subshell and both sleeps (the subshell's may still be starting): at least the shell and one more.
    expect(processGroupMembers(group).length).toBeGreaterThanOrEqual(2);
    const t0 = Date.now();
    if (target === 'group') process.kill(-child.pid!, sig);
    else process.kill(child.pid!, sig);
    const closed = await run.closed(10_000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(closed.stderr).toContain(`interrupted by ${sig}`);
    expect(processGroupMembers(group)).toEqual([]);
    expect(fs.existsSync(path.join(sb.dir, name))).toBe(false);
  }, 60_000);

  it('a background process left by the script does not keep haco waiting, and does not outlive the step', () => {
    const pidFile = path.join(sb.dir, 'bg.pid');
    const file = sb.def('bg', `export default defineContainer('bg').rootfs(${JSON.stringify(path.join(sb.dir, 'bg/rootfs'))}).bootstrap((b) => b.shell(${JSON.stringify(`echo $$ > ${JSON.stringify(pidFile)}; mkdir -p "$ROOTFS/bin"; sleep 300 & echo done`)}));`);
    const t0 = Date.now();
    const r = sb.run(['create', file]);
    expect(r.stderr).toContain('[bootstrap.shell] done');
    expect(r).toExitWith(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
    // The background sleep was in the script's process group; haco ended the group with the step.
    expect(processGroupMembers(Number(fs.readFileSync(pidFile, 'utf8')))).toEqual([]);
  });
});
