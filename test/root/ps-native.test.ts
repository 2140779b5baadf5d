// `haco ps` without Node (native/src/front_ps.c, docs/performance.md): the C front prints exactly what the
// Node command prints, for every state a container can be in (running, with a memory cgroup, ready,
// exited by a code and by a signal, stale) and each of -a / -q; what it is not sure of goes to Node.
// Node is told apart by NODE_OPTIONS requiring a missing module: every Node run then fails, the front's
// own run does not. About 15 s (six containers).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { haco as runHaco } from '../support/cli';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(90_000);
const describeRoot = canRun ? describe : describe.skip;

function gone(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

describeRoot('haco ps from the C front', () => {
  let lab: Lab;
  const noNode = { NODE_OPTIONS: `--require=/nonexistent-lean-${process.pid}` };
  const ps = (args: string[], env: Record<string, string> = {}) => runHaco(['ps', ...args], { env: { ...lab.env, ...env }, cwd: lab.work });
  const name = (n: string) => `${lab.tag}-${n}`;
  // The front's run and Node's, repeated until both fall in one second: the UPTIME column may tick between them.
  const pair = (args: string[]) => {
    let fast = ps(args, noNode);
    let slow = ps(args, { HACO_NO_FAST_PS: '1' });
    for (let i = 0; i < 3 && fast.stdout !== slow.stdout; i++) {
      fast = ps(args, noNode);
      slow = ps(args, { HACO_NO_FAST_PS: '1' });
    }
    return { fast, slow };
  };

  beforeAll(async () => {
    lab = makeLab();
    const sleeper = `  .command(['/bin/sh', '-c', 'sleep 1000; : ${lab.tag}'])\n  .unshare('mount', 'uts', 'ipc', 'pid')`;
    const defs: Array<[string, string]> = [
      ['run', sleeper],
      ['mem', `${sleeper}\n  .memory('64M').cpu('50%')`],
      ['ready', `${sleeper}\n  .readiness({ command: 'true' }, { timeoutMs: 30_000 })`],
      ['code', `  .command(['/bin/sh', '-c', 'exit 3'])\n  .unshare('mount', 'uts', 'ipc', 'pid')`],
      ['killed', sleeper],
      ['stale', sleeper],
    ];
    for (const [n, body] of defs) {
      const r = lab.haco(['start', '-d', lab.def(name(n), body)]);
      expect(r.stderr).toBe('');
    }
    expect(await until(() => stateOf(lab, name('code'))['status'] === 'exited' && fs.existsSync(path.join(lab.runDir, name('ready'), 'ready')))).toBe(true);
    expect(lab.haco(['kill', '-s', 'KILL', name('killed')])).toExitWith(0);
    // Stale: watcher, supervisor and init killed, nobody left to record the exit.
    const st = stateOf(lab, name('stale'));
    const supervisor = Number(st['supervisor']);
    const children = fs.readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8').trim().split(' ').map(Number);
    for (const pid of [...children.filter((p) => p !== Number(st['pid'])), supervisor, Number(st['pid'])]) process.kill(pid, 'SIGKILL');
    expect(await until(() => gone(supervisor) && gone(Number(st['pid'])))).toBe(true);
  });
  afterAll(() => {
    lab.haco(['kill', '-s', 'KILL', '--all']);
    lab.haco(['rm', '--all']);
    lab.cleanup();
  });

  test.each([[[]], [['-a']], [['-q']], [['-aq']], [['--all', '--quiet']]])('ps %j: the same bytes as Node, without Node', async (args: string[]) => {
    const { fast, slow } = pair(args);
    expect(fast.stderr).toBe('');
    expect(fast).toExitWith(0);
    expect(slow).toExitWith(0);
    expect(fast.stdout).toBe(slow.stdout);
    const all = args.some((a) => a.includes('a'));
    for (const n of ['run', 'mem', 'ready']) expect(fast.stdout).toContain(name(n));
    for (const n of ['code', 'killed', 'stale']) expect(fast.stdout.includes(name(n))).toBe(all);
    if (!args.some((a) => a.includes('q'))) {
      expect(fast.stdout).toMatch(new RegExp(`^${name('ready')} +running, ready `, 'm'));
      if (all) {
        expect(fast.stdout).toMatch(new RegExp(`^${name('code')} +exited \\(3\\) `, 'm'));
        expect(fast.stdout).toMatch(new RegExp(`^${name('killed')} +exited \\(137, SIGKILL, stopped\\) `, 'm'));
        expect(fast.stdout).toMatch(new RegExp(`^${name('stale')} +stale `, 'm'));
      }
    }
  });

  test('--json, other flags, an unusual state file: Node answers (and fails here, as Node cannot start)', () => {
    const nodeRan = (r: { status: number | null; stderr: string }) => r.status !== 0 && r.stderr.includes(noNode.NODE_OPTIONS.slice('--require='.length));
    expect(nodeRan(ps(['--json'], noNode))).toBe(true);
    expect(nodeRan(ps(['-a', '--json'], noNode))).toBe(true);
    expect(nodeRan(ps(['--help'], noNode))).toBe(true);
    // A state file the front would have to guess about (a non-ASCII reason): Node's to render.
    const file = path.join(lab.runDir, name('code'), 'state');
    const before = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, before.replace(/^reason=.*$/m, 'reason=caf\u00e9'));
    try {
      expect(nodeRan(ps(['-a'], noNode))).toBe(true);
      const viaNode = ps(['-a']);
      expect(viaNode).toExitWith(0);
      expect(viaNode.stdout).toMatch(new RegExp(`^${name('code')} +exited \\(3, caf\u00e9\\) `, 'm'));
    } finally {
      fs.writeFileSync(file, before);
    }
    // A foreign entry in the run dir is skipped by both.
    fs.mkdirSync(path.join(lab.runDir, '.not-a-container'));
    try {
      const { fast, slow } = pair(['-a']);
      expect(fast).toExitWith(0);
      expect(fast.stdout).toBe(slow.stdout);
    } finally {
      fs.rmdirSync(path.join(lab.runDir, '.not-a-container'));
    }
  });
});
