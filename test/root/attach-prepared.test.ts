// The prepared attach spec (docs/performance.md, attach): `haco attach NAME -- CMD` run by the C front
// without Node gives what the Node path gives, and any doubt falls back to Node. Node is told apart by
// NODE_OPTIONS requiring a missing module: every Node run then fails, the front's own run does not.
// About 10 s (one container, a dozen attaches).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { haco as runHaco } from '../support/cli';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(60_000);
const describeRoot = canRun ? describe : describe.skip;

const PROBE = 'for n in user mnt uts ipc pid net cgroup; do readlink /proc/self/ns/$n; done; env | sort; pwd; id; grep -E "^(Cap|Seccomp|NoNewPrivs)" /proc/self/status; cat /proc/self/cgroup /proc/self/limits';

describeRoot('haco attach from the prepared spec', () => {
  let lab: Lab;
  let name: string;
  let template: string;
  const noNode = { NODE_OPTIONS: `--require=/nonexistent-perf-${process.pid}` };
  const attach = (args: string[], env: Record<string, string> = {}) => runHaco(['attach', ...args], { env: { ...lab.env, ...env }, cwd: lab.work });

  beforeAll(async () => {
    lab = makeLab();
    name = `${lab.tag}-fast`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'sleep 1000; : ${lab.tag}'])\n  .unshare('mount', 'uts', 'ipc', 'pid', 'cgroup')\n  .env({ GREETING: 'a b%c' })\n  .rlimit('nofile', 1024)`);
    const started = lab.haco(['start', '-d', file]);
    expect(started.stderr).toBe('');
    expect(await until(() => stateOf(lab, name)['status'] === 'running')).toBe(true);
    template = path.join(lab.runDir, name, 'attach.template');
  });
  afterAll(() => {
    lab.haco(['kill', '-s', 'KILL', name]);
    lab.cleanup();
  });

  test('a plain attach through Node leaves the template (0600); the front then runs the same without Node', () => {
    const viaNode = attach([name, '--', 'sh', '-c', PROBE], { HACO_NO_FAST_ATTACH: '1' });
    expect(viaNode.stderr).toBe('');
    expect(viaNode).toExitWith(0);
    expect(viaNode.stdout).toContain('GREETING=a b%c');
    expect(fs.statSync(template).mode & 0o777).toBe(0o600);
    const fast = attach([name, '--', 'sh', '-c', PROBE], noNode);
    expect(fast.stderr).toBe('');
    expect(fast).toExitWith(0);
    expect(fast.stdout).toBe(viaNode.stdout);
    // Words with spaces, %, an empty word, and --trace: the same on both paths.
    const args = ['--trace', name, '--', 'sh', '-c', 'printf "[%s]" "$@"; exit 7', 'x y', '%41', ''];
    const slow = attach(args, { HACO_NO_FAST_ATTACH: '1' });
    const quick = attach(args, noNode);
    expect(slow).toExitWith(7);
    expect(quick).toExitWith(7);
    expect(quick.stdout).toBe('[%41][]');
    expect(quick.stdout).toBe(slow.stdout);
    // The trace differs only in the pids of the launcher's children.
    const pids = (trace: string) => trace.replace(/(= |")\d+/g, '$1N');
    expect(quick.stderr).toContain('exec');
    expect(pids(quick.stderr)).toBe(pids(slow.stderr));
  });

  test('a failing command: the same status and stderr', () => {
    attach([name, '--', 'true'], { HACO_NO_FAST_ATTACH: '1' });
    const slow = attach([name, '--', '/nonexistent-perf'], { HACO_NO_FAST_ATTACH: '1' });
    const quick = attach([name, '--', '/nonexistent-perf'], noNode);
    expect(slow.status).not.toBe(0);
    expect(quick).toExitWith(slow.status);
    expect(quick.stderr).toBe(slow.stderr);
  });

  test('a stale template (another start time, another owner mode, other flags) goes to Node, which writes it afresh', () => {
    expect(attach([name, '--', 'true'], { HACO_NO_FAST_ATTACH: '1' })).toExitWith(0);
    const good = fs.readFileSync(template);
    const pid = stateOf(lab, name)['pid']!;
    const stale = good.toString('latin1').replace(new RegExp(`^alive ${pid} (\\d+)$`, 'm'), (_, start: string) => `alive ${pid} ${Number(start) + 1}`);
    expect(stale).not.toBe(good.toString('latin1'));
    fs.writeFileSync(template, Buffer.from(stale, 'latin1'), { mode: 0o600 });
    expect(attach([name, '--', 'true'], noNode).status).not.toBe(0); // Node ran (and failed on NODE_OPTIONS)
    expect(attach([name, '--', 'true'])).toExitWith(0); // Node ran and wrote it again
    expect(fs.readFileSync(template)).toEqual(good);
    expect(attach([name, '--', 'true'], noNode)).toExitWith(0);
    fs.chmodSync(template, 0o644);
    expect(attach([name, '--', 'true'], noNode).status).not.toBe(0);
    fs.chmodSync(template, 0o600);
    expect(attach(['-e', 'X=1', name, '--', 'true'], noNode).status).not.toBe(0);
    // An input changed under it: a reload file appears in the state dir (its meta is merged into the state).
    fs.writeFileSync(path.join(lab.runDir, name, 'reload'), 'perf_note=1\n');
    expect(attach([name, '--', 'true'], noNode).status).not.toBe(0);
    expect(attach([name, '--', 'true'])).toExitWith(0);
    expect(attach([name, '--', 'true'], noNode)).toExitWith(0);
  });
});
