// The README's two commands and CI must not drift apart: command 1 sets up and runs the main job,
// command 2 sets up the test tools and runs the whole suite, and .ci/run runs exactly command 2.
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');

function shBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
}

describe('README quick start and .ci/run', () => {
  const [setupAndRun, suite] = shBlocks(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8'));

  it('command 1 sets up the runtime tools, then creates and starts the first example', () => {
    expect(setupAndRun).toMatch(/^bash scripts\/setup\.sh && npx haco create (\S+) && npx haco start \1$/);
  });

  it('command 2 sets up the test tools, then runs the whole suite', () => {
    expect(suite).toBe('bash scripts/setup.sh --dev && npm test');
  });

  it('.ci/run runs exactly command 2', () => {
    const commands = fs
      .readFileSync(path.join(REPO, '.ci/run'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#') && !/^(set|cd|unset) /.test(l));
    expect(commands).toEqual([suite]);
  });
});
