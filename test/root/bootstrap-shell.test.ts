import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HACO_BIN } from '../support/cli';
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
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('[bootstrap.shell] built');
    expect(fs.readFileSync(path.join(rootfs, 'built-in'), 'utf8').trim()).toBe(`${rootfs}.haco-new-${fs.readFileSync(path.join(rootfs, 'built-in'), 'utf8').trim().split('-').pop()}`);
    expect(fs.readFileSync(path.join(rootfs, 'two'), 'utf8')).toBe('one\n');
    expect(fs.readdirSync(path.join(sb.dir, 'sh'))).toEqual(['rootfs']);

    // started for real: the files the script and the post steps wrote are the root's
    const s = sb.start(file, ['/bin/sh', '-c', 'cat /two; /bin/busybox ls /; exit 4']);
    expect(s.status).toBe(4);
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
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/(bootstrap\.shell|post\.oops) failed with exit code \d; the partial rootfs was removed/);
      expect(fs.existsSync(path.join(sb.dir, name!))).toBe(false);
    }
  });

  it('Ctrl-C (SIGINT to the process group) stops the build and removes the partial tree', async () => {
    const file = sb.def('slow', `export default defineContainer('slow').rootfs(${JSON.stringify(path.join(sb.dir, 'slow/rootfs'))}).bootstrap((b) => b.shell('touch "$ROOTFS/half"; echo started; sleep 30'));`);
    const child = spawn(HACO_BIN, ['create', file], {
      cwd: sb.dir,
      detached: true,
      env: { ...process.env, HACO_STATE_ROOT: sb.state, HACO_NO_CACHE: '1', CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('[bootstrap.shell] started')) resolve();
      });
    });
    expect(fs.existsSync(path.join(sb.dir, 'slow'))).toBe(true);
    process.kill(-child.pid!, 'SIGINT');
    // 'close' waits for node itself (it holds the pipes), not only for the bin/haco sh wrapper, which
    // a terminal's Ctrl-C also hits and which dies of it (exit null/SIGINT) while node cleans up.
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    expect(code === 130 || signal === 'SIGINT').toBe(true);
    expect(stderr).toContain('interrupted by SIGINT');
    expect(fs.existsSync(path.join(sb.dir, 'slow'))).toBe(false);
  }, 30_000);

  /** Processes whose command line contains MARK (pgrep -f), other than ourselves. */
  const withMark = (mark: string): string[] => {
    const r = spawnSync('pgrep', ['-f', mark], { encoding: 'utf8' });
    return r.stdout.split('\n').filter(Boolean);
  };

  it.each([
    ['SIGINT to the process group (Ctrl-C)', 'SIGINT', 'group'],
    ["SIGTERM to haco's own pid (bin/haco execs the launcher's front, which passes it to node)", 'SIGTERM', 'haco'],
    ["SIGHUP to haco's own pid", 'SIGHUP', 'haco'],
  ] as const)('%s ends the tool and its grandchildren: nothing orphaned, nothing half-made', async (_what, sig, target) => {
    const mark = `${3000 + Math.floor(Math.random() * 900)}.${process.pid}`;
    const name = `orph${sig.toLowerCase().slice(3)}`;
    const file = sb.def(name, `export default defineContainer('${name}').rootfs(${JSON.stringify(path.join(sb.dir, name, 'rootfs'))}).bootstrap((b) => b.shell('touch "$ROOTFS/half"; (sleep ${mark}; :) & echo started; sleep ${mark}'));`);
    const child = spawn(HACO_BIN, ['create', file], {
      cwd: sb.dir,
      detached: true,
      env: { ...process.env, HACO_STATE_ROOT: sb.state, HACO_NO_CACHE: '1', CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('[bootstrap.shell] started')) resolve();
      });
    });
    expect(withMark(mark).length).toBeGreaterThanOrEqual(2);
    const t0 = Date.now();
    if (target === 'group') process.kill(-child.pid!, sig);
    else process.kill(child.pid!, sig);
    await new Promise<void>((resolve) => child.on('close', () => resolve()));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(stderr).toContain(`interrupted by ${sig}`);
    expect(withMark(mark)).toEqual([]);
    expect(fs.existsSync(path.join(sb.dir, name))).toBe(false);
  }, 30_000);

  it('a background process left by the script does not keep haco waiting, and does not outlive the step', () => {
    const mark = `${4000 + Math.floor(Math.random() * 900)}.${process.pid}`;
    const file = sb.def('bg', `export default defineContainer('bg').rootfs(${JSON.stringify(path.join(sb.dir, 'bg/rootfs'))}).bootstrap((b) => b.shell('mkdir -p "$ROOTFS/bin"; sleep ${mark} & echo done'));`);
    const t0 = Date.now();
    const r = sb.run(['create', file]);
    expect(r.stderr).toContain('[bootstrap.shell] done');
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(withMark(mark)).toEqual([]);
  });
});
