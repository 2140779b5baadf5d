// Toggles anywhere on the line, with real containers: before the file, after it, with `=` or a space;
// `--` still separates the container's command (whose words may look like haco's flags).
import * as fs from 'node:fs';
import { haco } from '../support/cli';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';

describeStart('toggles anywhere on the haco start line', () => {
  let ws: Workspace;
  let file: string;
  const hostPidNs = fs.readlinkSync('/proc/self/ns/pid');
  beforeAll(() => {
    ws = makeWorkspace('clitog');
    file = ws.define(uniqueName('tog'));
  });
  afterAll(() => ws?.cleanup());

  const pidNs = (args: string[]) => {
    const r = haco(['start', ...args], { env: ws.env });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    return r.stdout.trim();
  };

  test.each([
    ['before the file', (f: string) => ['--share', 'pid', f]],
    ['before the file, with =', (f: string) => ['--share=pid', f]],
    ['after the file', (f: string) => [f, '--share', 'pid']],
    ['after the file, with = and other toggles', (f: string) => [f, '--cpu=30%', '--share=pid', '--drop-cap', 'net_raw']],
  ])('%s: the container stays in the host pid namespace', (_, line) => {
    expect(pidNs([...line(file), '--', 'readlink', '/proc/self/ns/pid'])).toBe(hostPidNs);
  });

  test('without the toggle it has its own; words after -- are the command\'s', () => {
    expect(pidNs([file, '--', 'readlink', '/proc/self/ns/pid'])).not.toBe(hostPidNs);
    expect(pidNs(['--share', 'pid', file, '--', 'echo', '--share', 'net', '-d'])).toBe('--share net -d');
  });
});
