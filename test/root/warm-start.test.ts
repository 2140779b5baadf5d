// The warm start (docs/performance.md, "`haco start` without Node"): a plain `haco start FILE -- CMD`
// whose kept launch still holds is run by the C front without Node, with the result Node gives; every kind
// of change falls back to Node, which keeps the launch afresh. Node is told apart by NODE_OPTIONS
// requiring a missing module: every Node run then fails, the front's own run does not. About 15 s.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { haco as runHaco } from '../support/cli';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';
import { warmKey } from '../../src/start/warm-spec';

jest.setTimeout(120_000);
const describeRoot = canRun ? describe : describe.skip;

describeRoot('haco start from the kept launch (no Node)', () => {
  let lab: Lab;
  let name: string;
  let file: string;
  let part: string;
  let note: string;
  const missing = `/nonexistent-warm-${process.pid}`;
  const noNode = { NODE_OPTIONS: `--require=${missing}` };
  const CMD = ['--', '/bin/sh', '-c', 'echo "g=$GREETING p=$PART n=$NOTE"; exit 3'];
  const start = (args: string[], env: Record<string, string> = {}) => runHaco(['start', ...args], { env: { ...lab.env, ...env }, cwd: lab.work });
  const keptFile = (args: string[]) => path.join(lab.work, 'cache', 'warm', warmKey(lab.work, ['start', ...args]));
  /** Node ran: with NODE_OPTIONS pointing at a missing module it fails before haco's code. */
  const expectNode = (r: ReturnType<typeof start>) => {
    expect(r.stderr).toContain(missing);
    expect(r.status).not.toBe(0);
  };
  /** The change sends the next start to Node; a start through Node keeps the launch again; then no Node. */
  const expectFallbackAndRefresh = (args: string[], env: Record<string, string>, stdout: string) => {
    expectNode(start(args, { ...env, ...noNode }));
    const viaNode = start(args, env);
    expect(viaNode.stderr).toBe('');
    expect(viaNode).toExitWith(3);
    expect(viaNode.stdout).toBe(stdout);
    const fast = start(args, { ...env, ...noNode });
    expect(fast.stderr).toBe('');
    expect(fast).toExitWith(3);
    expect(fast.stdout).toBe(stdout);
  };
  /** Rewrites FILE with CONTENT of the same length, and puts its mtime back (the same second; utimes keeps ms). */
  const sameSizeSameMtime = (target: string, content: string) => {
    const before = fs.statSync(target);
    expect(Buffer.byteLength(content)).toBe(before.size);
    fs.writeFileSync(target, content);
    fs.utimesSync(target, before.atime, before.mtime);
    expect(Math.floor(fs.statSync(target).mtimeMs / 1000)).toBe(Math.floor(before.mtimeMs / 1000));
  };

  beforeAll(() => {
    lab = makeLab();
    name = `warm-${lab.tag}`;
    file = path.join(lab.work, `${name}.haco.ts`);
    part = path.join(lab.work, 'part.ts');
    note = path.join(lab.work, 'note.txt');
    fs.writeFileSync(part, "export const PART = 'aaaa';\n");
    fs.writeFileSync(note, 'n1\n');
    fs.writeFileSync(file, [
      "import * as fs from 'node:fs';",
      "import { defineContainer } from 'haco';",
      "import { PART } from './part';",
      `export default defineContainer(${JSON.stringify(name)})`,
      `  .rootfs(${JSON.stringify(lab.rootfs)})`,
      "  .unshare('mount', 'uts', 'ipc', 'pid', 'cgroup')",
      `  .env({ GREETING: process.env['WARM_GREETING'] ?? 'none', PART, NOTE: fs.readFileSync(${JSON.stringify(note)}, 'utf8').trim() });`,
      '',
    ].join('\n'));
  });
  afterAll(() => lab.cleanup());

  test('Node keeps the launch (0600); the front then gives the same result without Node', () => {
    const args = [file, ...CMD];
    const viaNode = start(args, { HACO_NO_FAST_START: '1' });
    expect(viaNode.stderr).toBe('');
    expect(viaNode).toExitWith(3);
    expect(viaNode.stdout).toBe('g=none p=aaaa n=n1\n');
    expect(fs.statSync(keptFile(args)).mode & 0o777).toBe(0o600);
    const fast = start(args, noNode);
    expect(fast.stderr).toBe('');
    expect(fast).toExitWith(3);
    expect(fast.stdout).toBe(viaNode.stdout);
    expect(lab.leftovers()).toEqual([]);
    // --trace is another command line: Node first, then the front, with the same trace (pids aside).
    const traced = ['--trace', ...args];
    expectNode(start(traced, noNode));
    const slow = start(traced);
    const quick = start(traced, noNode);
    expect(quick).toExitWith(3);
    expect(quick.stdout).toBe(slow.stdout);
    // The same lines, pids and temp-file numbers aside (a child's and its parent's lines may interleave).
    const lines = (trace: string) => trace.replace(/\d+/g, 'N').split('\n').sort();
    expect(quick.stderr).toContain('execvp');
    expect(lines(quick.stderr)).toEqual(lines(slow.stderr));
  });

  test('start -d: the same without Node once the name is free again', async () => {
    const args = ['-d', file, '--', '/bin/true'];
    const slow = start(args);
    expect(slow).toExitWith(0);
    expect(await until(() => stateOf(lab, name)['status'] === 'exited')).toBe(true);
    // The kept launch saw no state dir of NAME: an exited one is Node's to replace.
    expectNode(start(args, noNode));
    expect(lab.haco(['rm', name])).toExitWith(0);
    const quick = start(args, noNode);
    expect(quick).toExitWith(0);
    expect(quick.stderr.replace(/\d+/g, 'N')).toBe(slow.stderr.replace(/\d+/g, 'N'));
    expect(await until(() => stateOf(lab, name)['status'] === 'exited')).toBe(true);
    expect(lab.haco(['rm', name])).toExitWith(0);
  });

  test('each kind of change falls back to Node, which keeps the launch afresh', () => {
    const args = [file, ...CMD];
    expect(start(args)).toExitWith(3);
    expect(start(args, noNode)).toExitWith(3);
    // An imported file edited: same size, same mtime.
    sameSizeSameMtime(part, "export const PART = 'bbbb';\n");
    expectFallbackAndRefresh(args, {}, 'g=none p=bbbb n=n1\n');
    // A file the definition read, edited the same way.
    sameSizeSameMtime(note, 'n2\n');
    expectFallbackAndRefresh(args, {}, 'g=none p=bbbb n=n2\n');
    // An environment variable the definition read.
    expectFallbackAndRefresh(args, { WARM_GREETING: 'hi' }, 'g=hi p=bbbb n=n2\n');
    // One the start read (where the cgroup lock lives, which the spec names).
    expectFallbackAndRefresh(args, { WARM_GREETING: 'hi', HACO_CGROUP_LOCK: path.join(lab.work, 'cg.lock') }, 'g=hi p=bbbb n=n2\n');
    const env = { WARM_GREETING: 'hi', HACO_CGROUP_LOCK: path.join(lab.work, 'cg.lock') };
    // haco rebuilt: a build rewrites dist/ (new ctime, even with the same bytes and mtime).
    const cliMain = path.resolve(__dirname, '../../dist/cli-main.js');
    const st = fs.statSync(cliMain);
    fs.utimesSync(cliMain, st.atime, st.mtime);
    expectFallbackAndRefresh(args, env, 'g=hi p=bbbb n=n2\n');
    // A host fact the start looked at: the command's path in the rootfs (a symlink made anew).
    const sh = path.join(lab.rootfs, 'bin/sh');
    fs.rmSync(sh);
    fs.symlinkSync('busybox', sh);
    expectFallbackAndRefresh(args, env, 'g=hi p=bbbb n=n2\n');
    // A state record of that name (a stale one: its processes are gone): Node's checks decide.
    fs.mkdirSync(path.join(lab.runDir, name), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(lab.runDir, name, 'state'), 'status=running\npid=999999\nsupervisor=999999\n', { mode: 0o600 });
    expectNode(start(args, { ...env, ...noNode }));
    fs.rmSync(path.join(lab.runDir, name), { recursive: true });
    expect(start(args, { ...env, ...noNode })).toExitWith(3);
  });

  test('a kept launch that is not private, not ours, or altered is refused', () => {
    const args = [file, ...CMD];
    expect(start(args)).toExitWith(3);
    const kept = keptFile(args);
    const good = fs.readFileSync(kept);
    expect(start(args, noNode)).toExitWith(3);
    fs.chmodSync(kept, 0o644);
    expectNode(start(args, noNode));
    fs.chmodSync(kept, 0o600);
    fs.chownSync(kept, 65534, 65534);
    expectNode(start(args, noNode));
    fs.chownSync(kept, 0, 0);
    expect(start(args, noNode)).toExitWith(3);
    // A flipped byte in the body (its SHA-256 no longer matches), then a symlink in its place.
    const flipped = Buffer.from(good);
    const at = flipped.indexOf('\nspec\n') - 1;
    flipped[at] = flipped[at] === 0x30 ? 0x31 : 0x30;
    fs.writeFileSync(kept, flipped, { mode: 0o600 });
    expectNode(start(args, noNode));
    fs.writeFileSync(`${kept}.real`, good, { mode: 0o600 });
    fs.rmSync(kept);
    fs.symlinkSync(`${kept}.real`, kept);
    expectNode(start(args, noNode));
    fs.rmSync(kept);
    fs.rmSync(`${kept}.real`);
    expect(start(args)).toExitWith(3);
    expect(start(args, noNode)).toExitWith(3);
    // Another haco (here: a copy of the launcher as its front) with the same directory and arguments: the
    // record names this haco's launcher, not the copy's own program, so Node decides.
    const ROOT = path.resolve(__dirname, '..', '..');
    const other = path.join(lab.work, 'other-haco-launch');
    fs.copyFileSync(path.join(ROOT, 'native', 'build', 'haco-launch'), other);
    fs.chmodSync(other, 0o755);
    const viaOther = spawnSync(other, ['--front', 'node', path.join(ROOT, 'dist', 'cli.js'), 'start', ...args], { env: { ...lab.env, ...noNode }, cwd: lab.work, encoding: 'utf8' });
    expect(viaOther.stderr).toContain(missing);
    expect(start(args, noNode)).toExitWith(3);
    expect(lab.leftovers()).toEqual([]);
  });
});
