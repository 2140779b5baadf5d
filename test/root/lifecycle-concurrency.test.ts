// Many at once: 10 parallel starts of one name (exactly one wins, thanks to the state lock), and 50
// containers started at once then killed at once (all cleaned up: cgroups, state, processes).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watchOutput } from '../support/watch-output';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(300_000);
const describeRoot = canRun ? describe : describe.skip;

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  command: readonly string[];
}

/** `haco ARGS` without waiting for it: resolves when it exits, rejects (with its output) after 60 s. */
async function hacoAsync(lab: Lab, args: string[]): Promise<Run> {
  const child = spawn(path.resolve(__dirname, '../../bin/haco'), args, { env: { ...process.env, ...lab.env, NO_COLOR: '1' }, cwd: lab.work, stdio: ['ignore', 'pipe', 'pipe'] });
  const r = await watchOutput(child, ['haco', ...args]).closed(60_000);
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr, command: r.command };
}

describeRoot('haco lifecycle: concurrency', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = makeLab();
  });
  afterAll(() => {
    lab.cleanup();
  });

  test('10 parallel starts of one name: exactly one wins, the others say why', async () => {
    const name = `${lab.tag}-one`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'sleep 1000; : ${lab.tag}'])\n  .unshare('mount', 'uts', 'ipc', 'pid')\n  .reaper()\n  .pids(20)`);
    lab.haco(['plan', file]); // warm the plan cache, so all ten race at the launcher
    const runs = await Promise.all(Array.from({ length: 10 }, () => hacoAsync(lab, ['start', '-d', file])));
    const winners = runs.filter((r) => r.status === 0);
    expect(winners).toHaveLength(1);
    for (const r of runs.filter((x) => x.status !== 0)) expect(r.stderr).toMatch(/already (running|starting)/);
    const st = stateOf(lab, name);
    expect(winners[0]!.stdout).toContain(`pid ${st['pid']}`);
    // The losers touched nothing of the winner's: it still runs, in its cgroup.
    expect(fs.readFileSync(path.join(st['tracking']!, 'cgroup.procs'), 'utf8')).toContain(st['pid']!);
    expect(lab.haco(['kill', name])).toExitWith(0);
    expect(lab.haco(['rm', name])).toExitWith(0);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
  });

  test('50 containers started at once, then killed at once: all cleaned up', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `${lab.tag}-m${i}`);
    const files = names.map((n) => lab.def(n, `  .command(['/bin/sh', '-c', 'sleep 1000; : ${lab.tag}'])\n  .unshare('mount', 'uts', 'ipc', 'pid', 'net')\n  .reaper()\n  .pids(20)\n  .memory('32M')`));
    for (const f of files) lab.haco(['plan', f]);
    const t0 = Date.now();
    const started = await Promise.all(files.map((f) => hacoAsync(lab, ['start', '-d', f])));
    const startMs = Date.now() - t0;
    expect(started.filter((r) => r.status !== 0).map((r) => r.stderr)).toEqual([]);
    const ps = JSON.parse(lab.haco(['ps', '--json']).stdout) as Array<Record<string, unknown>>;
    expect(ps.filter((r) => names.includes(r['name'] as string) && r['status'] === 'running')).toHaveLength(50);
    process.stdout.write(`50 containers: started in ${startMs} ms\n`);
    const pids = names.map((n) => Number(stateOf(lab, n)['pid']));
    const t1 = Date.now();
    const killed = await Promise.all(names.map((n) => hacoAsync(lab, ['kill', n, '--timeout', '10'])));
    const killMs = Date.now() - t1;
    expect(killed.filter((r) => r.status !== 0).map((r) => r.stderr)).toEqual([]);
    for (const n of names) expect(stateOf(lab, n)['status']).toBe('exited');
    expect(lab.haco(['rm', ...names])).toExitWith(0);
    expect(fs.readdirSync(lab.runDir)).toEqual([]);
    expect(await until(() => pids.every((p) => !fs.existsSync(`/proc/${p}`)))).toBe(true);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
    process.stdout.write(`50 containers: started in ${startMs} ms, killed in ${killMs} ms\n`);
  });
});
