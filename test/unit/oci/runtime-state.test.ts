import { parseState } from '../../../src/state';
import { toOciStatus } from '../../../src/oci-runtime/state';
import { checkId } from '../../../src/oci-runtime/paths';

const alive = (...pids: number[]) => (pid: number) => pids.includes(pid);
const rec = (status: string) => parseState(`status=${status}\nsupervisor=10\nsupervisor_start=1\npid=20\npid_start=2\n`);

describe('the launcher state file read as runtime-spec statuses', () => {
  it.each([
    ['starting', [10], 'creating'],
    ['starting', [], 'stopped'],
    ['created', [10, 20], 'created'],
    ['created', [10], 'stopped'], // killed before start: the supervisor still waits on the fifo
    ['running', [10, 20], 'running'],
    ['running', [10], 'stopped'], // exited, the supervisor is cleaning up
    ['running', [20], 'stopped'], // supervisor gone
    ['restarting', [10, 20], 'running'],
    ['exited', [10, 20], 'stopped'],
  ])('%s with live %j is %s', (status, live, want) => {
    expect(toOciStatus(rec(status), alive(...live))).toBe(want);
  });

  it('takes ids that are haco container names only', () => {
    expect(checkId('a1b2-c.d_e')).toBe('a1b2-c.d_e');
    expect(() => checkId('../x')).toThrow(/not allowed/);
    expect(() => checkId('')).toThrow(/not allowed/);
  });
});
