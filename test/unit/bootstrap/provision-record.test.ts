import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clearRecord, planSteps, readRecord, recordPath, stepHash, treeIdentity, writeRecord } from '../../../src/provision/record';

describe('provision hashing and records', () => {
  let tmp: string;
  const saved = process.env['HACO_STATE_ROOT'];
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-prov-'));
    process.env['HACO_STATE_ROOT'] = path.join(tmp, 'state');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env['HACO_STATE_ROOT'];
    else process.env['HACO_STATE_ROOT'] = saved;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('hashes the name and the exact script', () => {
    const a = stepHash({ name: 'apt', script: 'apt-get install -y curl' });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(stepHash({ name: 'apt', script: 'apt-get install -y curl' })).toBe(a);
    expect(stepHash({ name: 'apt', script: 'apt-get install -y  curl' })).not.toBe(a);
    expect(stepHash({ name: 'apt2', script: 'apt-get install -y curl' })).not.toBe(a);
    // name/script boundary: "a"+"bc" must differ from "ab"+"c"
    expect(stepHash({ name: 'a', script: 'bc' })).not.toBe(stepHash({ name: 'ab', script: 'c' }));
  });

  it('keeps the record in the state dir, outside the rootfs', () => {
    expect(recordPath('web')).toBe(path.join(tmp, 'state', 'web', 'provisioned.json'));
  });

  it('skips unchanged steps, runs changed and new ones, honours --only and --always', () => {
    const steps = [
      { name: 'one', script: 'echo 1' },
      { name: 'two', script: 'echo 2' },
      { name: 'three', script: 'echo 3' },
    ];
    const record = readRecord('c', 'id-1');
    record.steps['one'] = { hash: stepHash(steps[0]!), finishedAt: '', ms: 1 };
    record.steps['two'] = { hash: stepHash({ name: 'two', script: 'echo old' }), finishedAt: '', ms: 1 };
    writeRecord('c', record);
    const again = readRecord('c', 'id-1');
    expect(planSteps(steps, again, {}).map((s) => [s.step.name, s.run])).toEqual([
      ['one', false],
      ['two', true],
      ['three', true],
    ]);
    expect(planSteps(steps, again, { always: true }).every((s) => s.run)).toBe(true);
    expect(planSteps(steps, again, { only: ['one'] }).map((s) => s.step.name)).toEqual(['one']);
  });

  it('forgets everything when the tree is another one (rebuilt rootfs) or the record is cleared', () => {
    writeRecord('c', { version: 1, rootfsId: 'id-1', steps: { one: { hash: 'h', finishedAt: '', ms: 1 } } });
    expect(readRecord('c', 'id-2').steps).toEqual({});
    expect(readRecord('c', 'id-1').steps['one']?.hash).toBe('h');
    clearRecord('c');
    expect(readRecord('c', 'id-1').steps).toEqual({});
  });

  it('tree identity changes when a directory is recreated', () => {
    const dir = path.join(tmp, 'rootfs');
    fs.mkdirSync(dir);
    const first = treeIdentity(dir);
    expect(treeIdentity(dir)).toBe(first);
    fs.rmdirSync(dir);
    fs.mkdirSync(dir);
    expect(treeIdentity(dir)).not.toBe(first);
  });

  it('a corrupt record counts as empty', () => {
    fs.mkdirSync(path.dirname(recordPath('c')), { recursive: true });
    fs.writeFileSync(recordPath('c'), '{not json');
    expect(readRecord('c', 'x').steps).toEqual({});
  });
});
