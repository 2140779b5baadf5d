// The exit matcher itself: a wrong status shows the command, stdout and stderr; a right one passes.
import { spawnSync } from 'node:child_process';

function failureOf(check: () => void): string {
  try {
    check();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the check passed');
}

describe('toExitWith', () => {
  it('passes on the expected status, for our results and for spawnSync results', () => {
    expect({ status: 0, stdout: '', stderr: '', command: ['haco', 'ps'] }).toExitWith(0);
    expect(spawnSync('sh', ['-c', 'exit 3'])).toExitWith(3);
    expect({ exitCode: 5, output: '' }).not.toExitWith(0);
  });

  it('on a wrong status shows the command line, stdout and stderr', () => {
    const message = failureOf(() => expect({ status: 1, stdout: 'half done\n', stderr: 'E_NO_ROOTFS: no rootfs\n', command: ['haco', 'start', 'my file.haco.ts'] }).toExitWith(0));
    expect(message).toContain("command: haco start 'my file.haco.ts'");
    expect(message).toContain('stdout:\nhalf done');
    expect(message).toContain('stderr:\nE_NO_ROOTFS: no rootfs');
    expect(message).toMatch(/expected exit status .*0.*, got .*1/);
  });

  it('keeps the end of a long output, where the reason is', () => {
    const message = failureOf(() => expect({ status: 2, stdout: '', stderr: `${'x'.repeat(10_000)}\nthe reason` }).toExitWith(0));
    expect(message).toContain('the reason');
    expect(message).toContain('chars before');
    expect(message).toContain('stdout: (empty)');
  });
});
