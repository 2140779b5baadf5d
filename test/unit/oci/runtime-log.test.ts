import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HacoError } from '../../../src/errors';
import { errorLogText, formatRuntimeLog, logRuntime, useRuntimeLog } from '../../../src/oci-runtime/runtime-log';

describe('the runtime log (--log, --log-format)', () => {
  const when = new Date('2026-11-30T05:00:00.000Z');

  it('json: one object per line with level, msg and time; several lines become one', () => {
    const line = formatRuntimeLog('error', 'haco-launch: exec /x: ENOENT\n  hint "x" is not in PATH\n', 'json', when);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd().includes('\n')).toBe(false);
    expect(JSON.parse(line)).toEqual({ level: 'error', msg: 'haco-launch: exec /x: ENOENT hint "x" is not in PATH', time: '2026-11-30T05:00:00.000Z' });
  });

  it('text: runc\'s time= level= msg= form, the message quoted', () => {
    expect(formatRuntimeLog('warning', 'a "b"', 'text', when)).toBe('time="2026-11-30T05:00:00.000Z" level=warning msg="a \\"b\\""\n');
  });

  it('an error says its message, code and hint', () => {
    expect(errorLogText(new HacoError('E_BUNDLE', 'no config', { hint: 'give --bundle' }))).toBe('no config [E_BUNDLE]\nhint: give --bundle');
  });

  it('reads --log/--log-format in both spellings, appends, and refuses an unknown format', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocicli-log-'));
    try {
      const file = path.join(dir, 'oci-log');
      useRuntimeLog(['create', '--root', '/r', `--log=${file}`, '--log-format', 'json', 'id']);
      logRuntime('error', 'first');
      logRuntime('warning', 'second');
      const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string });
      expect(lines.map((l) => [l.level, l.msg])).toEqual([['error', 'first'], ['warning', 'second']]);
      expect(() => useRuntimeLog(['state', '--log', file, '--log-format', 'xml', 'id'])).toThrow(/--log-format xml/);
      useRuntimeLog(['exec', 'id', '--', 'prog', '--log', path.join(dir, 'not-ours')]); // exec's command's flag
      logRuntime('error', 'third');
      expect(fs.existsSync(path.join(dir, 'not-ours'))).toBe(false);
      useRuntimeLog(['state', 'id']); // no --log: nothing is written
      logRuntime('error', 'third');
      expect(fs.readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
