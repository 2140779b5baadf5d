import { parseLogLine, parseSince, recordMs } from '../../../src/lifecycle/log-format';
import { statusText } from '../../../src/lifecycle/ps';
import { parseLimits } from '../../../src/procfs/limits';
import { UsageError } from '../../../src/errors';

describe('container log lines (CRI format)', () => {
  it('parses time, stream, partial flag and text (spaces and all)', () => {
    expect(parseLogLine('2026-11-29T20:45:01.123456789Z stderr F a  b ')).toEqual({ time: '2026-11-29T20:45:01.123456789Z', stream: 'stderr', complete: true, text: 'a  b ' });
    expect(parseLogLine('2026-11-29T20:45:01.000000000Z stdout P ')?.complete).toBe(false);
    expect(parseLogLine('2026-11-29T20:45:01.000000000Z haco F exited status=0')?.stream).toBe('haco');
    expect(parseLogLine('garbage')).toBeUndefined();
    expect(recordMs(parseLogLine('2026-11-29T20:45:01.123456789Z stdout F x')!)).toBe(Date.UTC(2026, 10, 29, 20, 45, 1, 123));
  });

  it('--since takes a duration back from now or a date', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseSince('10m', now)).toBe(now - 600_000);
    expect(parseSince('2h', now)).toBe(now - 7_200_000);
    expect(parseSince('2026-11-29T20:00:00Z', now)).toBe(Date.UTC(2026, 10, 29, 20));
    expect(() => parseSince('yesterday-ish', now)).toThrow(UsageError);
  });
});

describe('ps status', () => {
  it('names the signal behind 128+N, the recorded reason and the restarts', () => {
    expect(statusText({ status: 'exited', exitCode: 137, reason: 'oom killed', restarts: 0 })).toBe('exited (137, SIGKILL, oom killed)');
    expect(statusText({ status: 'exited', exitCode: 0, reason: '', restarts: 2 })).toBe('exited (0), 2 restarts');
    expect(statusText({ status: 'running', exitCode: null, reason: '', restarts: 1 })).toBe('running, 1 restart');
  });
});

describe('/proc/PID/limits', () => {
  it('reads every row as an rlimit entry', () => {
    const text = [
      'Limit                     Soft Limit           Hard Limit           Units     ',
      'Max cpu time              unlimited            unlimited            seconds   ',
      'Max open files            1024                 4096                 files     ',
      'Max realtime timeout      unlimited            unlimited            us        ',
    ].join('\n');
    expect(parseLimits(text)).toEqual([
      { resource: 'CPU', soft: 'unlimited', hard: 'unlimited' },
      { resource: 'NOFILE', soft: 1024, hard: 4096 },
      { resource: 'RTTIME', soft: 'unlimited', hard: 'unlimited' },
    ]);
  });
});
