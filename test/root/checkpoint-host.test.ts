// `haco checkpoint` / `haco restore` on THIS host, where criu cannot work (criu 3.17 does not understand
// this kernel's vDSO layout; /work/shared/README.md): the commands run `criu check` first and fail with
// E_CRIU_UNAVAILABLE naming the kernel limitation, exit 4, and leave the container running and nothing
// behind. `haco doctor` shows the same check. The working path is tested in the VM tier
// (test/root/checkpoint-vm.test.ts). ~3 s.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(60_000);

/** This test is about the host where `criu check` fails; on a host where it passes it has nothing to show. */
const criuFailsHere = spawnSync('/usr/sbin/criu', ['check'], { stdio: 'ignore' }).status !== 0;
const describeRoot = canRun ? describe : describe.skip;

describeRoot('checkpoint/restore where criu cannot work', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = makeLab();
  });
  afterAll(() => {
    lab.cleanup();
  });

  test('this host is the one the test is for: `criu check` fails here', () => {
    expect(criuFailsHere).toBe(true);
  });

  test('haco checkpoint of a running detached container: E_CRIU_UNAVAILABLE naming the kernel limitation; still running', async () => {
    const name = `${lab.tag}-ck`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.2; done; : ${lab.tag}'])`);
    expect(lab.haco(['start', '-d', file])).toExitWith(0);
    expect(await until(() => stateOf(lab, name)['status'] === 'running')).toBe(true);
    const out = path.join(lab.work, 'ckpt');
    const r = lab.haco(['checkpoint', name, '-o', out, '--json']);
    expect(r).toExitWith(4);
    const err = (JSON.parse(r.stdout) as { error: { code: string; message: string; hint: string } }).error;
    expect(err.code).toBe('E_CRIU_UNAVAILABLE');
    expect(err.message).toMatch(/`criu check` fails on this kernel: vdso: /);
    expect(err.hint).toMatch(/haco doctor/);
    const human = lab.haco(['checkpoint', name, '-o', out]);
    expect(human).toExitWith(4);
    expect(human.stderr).toMatch(/cannot checkpoint or restore on this machine: criu \S+: `criu check` fails on this kernel/);
    expect(fs.existsSync(out)).toBe(false); // nothing written before the check
    expect(stateOf(lab, name)['status']).toBe('running');
    expect(lab.haco(['kill', '--timeout', '0', name])).toExitWith(0); // sh as PID 1 ignores TERM
    expect(lab.haco(['rm', name])).toExitWith(0);
  });

  test('haco restore: a directory that is no checkpoint is E_RESTORE (5); a checkpoint is refused by criu check (4)', () => {
    const empty = path.join(lab.work, 'empty');
    fs.mkdirSync(empty);
    const r = lab.haco(['restore', empty, '--json']);
    expect(r).toExitWith(5);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'E_RESTORE' } });
    fs.writeFileSync(path.join(empty, 'haco-checkpoint.json'), JSON.stringify({ format: 1, name: `${lab.tag}-r`, plan: {} }));
    const r2 = lab.haco(['restore', empty, '--json']);
    expect(r2).toExitWith(4);
    expect(JSON.parse(r2.stdout)).toMatchObject({ error: { code: 'E_CRIU_UNAVAILABLE', message: expect.stringMatching(/vdso/) } });
    expect(fs.existsSync(path.join(lab.runDir, `${lab.tag}-r`))).toBe(false);
  });

  test('haco doctor shows the criu check and why it fails', () => {
    const r = lab.haco(['doctor']);
    expect(r.stdout).toMatch(/checkpoint\/restore \(criu\)\s+criu \S+: `criu check` fails on this kernel: vdso: .*E_CRIU_UNAVAILABLE/);
  });

  test('nothing is left behind', () => {
    expect(lab.leftovers()).toEqual([]);
  });
});
