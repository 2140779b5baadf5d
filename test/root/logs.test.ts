// One log per container: stdout and stderr lines in the order written, timestamped (CRI format), with
// --tail, --since, --timestamps, and the supervisor's events (exit, signal, restart) in the same file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(60_000);
const describeRoot = canRun ? describe : describe.skip;

describeRoot('haco logs', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = makeLab();
  });
  afterAll(() => {
    lab.cleanup();
  });

  test('interleaved stdout/stderr writes come back in order, each line stamped and tagged', async () => {
    const name = `${lab.tag}-order`;
    // A pause between writes: the supervisor reads each pipe as soon as it is written to.
    const script = `for i in 1 2 3; do echo out$i; sleep 0.05; echo err$i >&2; sleep 0.05; done; : ${lab.tag}`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', ${JSON.stringify(script)}])`);
    expect(lab.haco(['start', '-d', file]).stderr).toBe('');
    expect(await until(() => stateOf(lab, name)['status'] === 'exited')).toBe(true);
    const raw = fs.readFileSync(path.join(lab.runDir, name, 'container.log'), 'utf8');
    const body = raw.split('\n').filter((l) => / (stdout|stderr) F /.test(l));
    expect(body.map((l) => l.replace(/^\S+ /, ''))).toEqual(['stdout F out1', 'stderr F err1', 'stdout F out2', 'stderr F err2', 'stdout F out3', 'stderr F err3']);
    for (const l of body) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /);
    // The supervisor's events are in the same file.
    expect(raw).toMatch(/ haco F started pid=\d+ run=1\n/);
    expect(raw).toMatch(/ haco F exited status=0\n/);

    const logs = lab.haco(['logs', name]);
    expect(logs.stdout).toBe('out1\nout2\nout3\n');
    expect(logs.stderr).toBe('err1\nerr2\nerr3\n');
    const tail = lab.haco(['logs', '--tail', '2', '--timestamps', name]);
    expect(tail.stdout).toMatch(/^\S+Z out3\n$/);
    expect(tail.stderr).toMatch(/^\S+Z err3\n$/);
    expect(lab.haco(['logs', '--since', '2030-01-01T00:00:00Z', name]).stdout).toBe('');
    expect(lab.haco(['logs', '--since', '1h', name]).stdout).toBe('out1\nout2\nout3\n');
    expect(lab.haco(['logs', '--events', name]).stderr).toMatch(/\[haco\] exited status=0/);
    expect(lab.haco(['rm', name])).toExitWith(0);
  });

  test('restarts and the exit signal are recorded: the log, supervisor.log and ps', async () => {
    const name = `${lab.tag}-rs`;
    // In its own pid namespace sh would be PID 1, which cannot SIGKILL itself: share the host's.
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'echo run; kill -9 $$; : ${lab.tag}'])\n  .share('pid')\n  .restart('on-failure', { maxRetries: 2, backoffMs: 50 })`);
    expect(lab.haco(['start', '-d', file]).stderr).toBe('');
    expect(await until(() => stateOf(lab, name)['status'] === 'exited', 15_000)).toBe(true);
    const raw = fs.readFileSync(path.join(lab.runDir, name, 'container.log'), 'utf8');
    // (toMatch first: a failure shows the whole log)
    expect(raw).toMatch(/ haco F exited status=137 signal=9\n/);
    expect(raw.match(/ haco F exited status=137 signal=9/g)).toHaveLength(3);
    expect(raw.match(/ haco F restarting restart=\d/g)).toHaveLength(2);
    expect(fs.readFileSync(path.join(lab.runDir, name, 'supervisor.log'), 'utf8')).toMatch(/restart 1 after exit status 137/);
    expect(lab.haco(['ps', '-a']).stdout).toMatch(new RegExp(`${name}\\s+exited \\(137, SIGKILL\\), 2 restarts`));
    expect(lab.haco(['rm', name])).toExitWith(0);
  });
});
