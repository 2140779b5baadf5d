// Signals to a detached container: `haco kill -s SIG` sends exactly SIG and nothing after it; `haco stop`
// is TERM, the timeout, then KILL.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(60_000);
const describeRoot = canRun ? describe : describe.skip;

describeRoot('haco kill -s SIG and haco stop', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = makeLab();
  });
  afterAll(() => {
    lab.cleanup();
  });

  test('kill -s HUP on a container trapping HUP: delivered once, the container keeps running', async () => {
    const name = `${lab.tag}-hup`;
    const script = `trap "echo got-hup" HUP; echo ready; while :; do sleep 0.1; done; : ${lab.tag}`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', ${JSON.stringify(script)}])\n  .unshare('mount', 'uts', 'ipc', 'pid')`);
    const started = lab.haco(['start', '-d', file]);
    expect(started.stderr).toBe('');
    const out = path.join(lab.runDir, name, 'container.log');
    expect(await until(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8').includes('ready'))).toBe(true);
    const pid = Number(stateOf(lab, name)['pid']);
    const k = lab.haco(['kill', '-s', 'HUP', name]);
    expect(k.stderr).toBe('');
    expect(k).toExitWith(0);
    expect(await until(() => fs.readFileSync(out, 'utf8').includes('got-hup'))).toBe(true);
    // Well past the old 10 s escalation would not fit a test; 2 s after the signal it must simply still run.
    await new Promise((r) => setTimeout(r, 2000));
    expect(fs.existsSync(`/proc/${pid}`)).toBe(true);
    expect(stateOf(lab, name)['status']).toBe('running');
    expect(fs.readFileSync(out, 'utf8').match(/got-hup/g)).toHaveLength(1);
    const stop = lab.haco(['stop', name, '--timeout', '1']);
    expect(stop.stderr).toBe('');
    expect(stop.stdout).toMatch(/SIGKILL after the timeout\): exit 137/);
    expect(lab.haco(['rm', name])).toExitWith(0);
  });

  test('kill -s KILL ends it and waits until the exit is recorded', async () => {
    const name = `${lab.tag}-k9`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'sleep 1000; : ${lab.tag}'])\n  .unshare('mount', 'uts', 'ipc', 'pid')`);
    expect(lab.haco(['start', '-d', file])).toExitWith(0);
    const k = lab.haco(['kill', '-s', 'KILL', name]);
    expect(k.stderr).toBe('');
    expect(k.stdout).toMatch(/stopped: exit 137/);
    expect(stateOf(lab, name)['status']).toBe('exited');
    expect(lab.haco(['rm', name])).toExitWith(0);
  });
});
