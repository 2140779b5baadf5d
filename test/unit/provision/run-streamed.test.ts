import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Reporter } from '../../../src/progress/reporter';
import { runStreamed } from '../../../src/progress/run-streamed';

function recorder(): { reporter: Reporter; lines: string[] } {
  const lines: string[] = [];
  const reporter: Reporter = {
    begin: () => undefined,
    line: (_c, phase, text) => lines.push(`[${phase}] ${text}`),
    end: () => undefined,
    result: () => undefined,
    warn: () => undefined,
    close: () => undefined,
  };
  return { reporter, lines };
}

describe('runStreamed (the launcher runner)', () => {
  it('feeds fd 3 from a string (the launch spec) and stdin from a file, and streams stdout+stderr with the phase', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-streamed-'));
    try {
      const input = path.join(dir, 'in');
      fs.writeFileSync(input, 'from-stdin\n');
      const { reporter, lines } = recorder();
      const r = await runStreamed('/bin/sh', ['-c', 'cat <&3; cat; echo oops >&2; exit 7'], {
        reporter,
        container: 'c',
        phase: 'provision.step',
        fd3: 'spec line 1\nspec line 2\n',
        inputFile: input,
      });
      expect(r).toExitWith(7);
      expect(r.cancelled).toBe(false);
      expect(lines).toEqual(['[provision.step] spec line 1', '[provision.step] spec line 2', '[provision.step] from-stdin', '[provision.step] oops']);
      expect(r.tail).toEqual(['spec line 1', 'spec line 2', 'from-stdin', 'oops']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without fd3 the child has no fd 3 and stdin at end of file', async () => {
    const { reporter, lines } = recorder();
    const r = await runStreamed('/bin/sh', ['-c', 'if [ -e /proc/self/fd/3 ]; then echo fd3; fi; cat; echo done'], { reporter, container: 'c', phase: 'p' });
    expect(r).toExitWith(0);
    expect(lines).toEqual(['[p] done']);
  });
});
