// Runs every ```sh haco-test block of docs/tutorial/*.md and of the Japanese edition docs/tutorial/ja/*.md, in order, as a learner would, and compares the
// output with the ```text block that follows (format: docs/tutorial/README.md). Needs root, a built haco,
// and working `haco create` and `haco start`: when one is missing the suite fails and says which,
// instead of skipping, so an unrunnable tutorial cannot look green.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { matchesOutput, parseSnippets } from '../support/tutorial-snippets';

const REPO = path.resolve(__dirname, '../..');
const TUTORIAL = path.join(REPO, 'docs/tutorial');
const STATE = '/var/lib/haco';
/** Runs the ```sh haco-test vm blocks in the qemu VM tier. */
const VM_RUNNER = 'test/root/checkpoint-vm.test.ts';

/** Chapter files of one edition (relative to docs/tutorial): `01-namespaces.md`, or `ja/01-namespaces.md`. */
function chaptersIn(dir: string): string[] {
  const full = path.join(TUTORIAL, dir);
  if (!fs.existsSync(full)) return [];
  return fs
    .readdirSync(full)
    .filter((f) => /^\d\d-.*\.md$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

const english = chaptersIn('');
const japanese = chaptersIn('ja');
// Both editions run in full: a translation whose commands drifted from what haco prints would fail here.
const chapters = [...english, ...japanese];

/** A directory with `haco` → bin/haco, put first on the PATH of every snippet. */
function binDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-tutorial-'));
  fs.symlinkSync(path.join(REPO, 'bin/haco'), path.join(dir, 'haco'));
  return dir;
}

function missingPrerequisites(): string[] {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('the tutorial runs containers: run this test as root (npx jest --selectProjects root)');
  if (!fs.existsSync(path.join(REPO, 'dist/cli.js'))) problems.push('dist/cli.js is missing: run `npm run build` first');
  else {
    for (const command of ['create', 'start']) {
      const r = spawnSync(path.join(REPO, 'bin/haco'), [command, '--help'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      if (r.status !== 0) problems.push(`\`haco ${command}\` is not available yet (haco ${command} --help exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''})`);
    }
  }
  return problems;
}

jest.setTimeout(600_000);

describe('docs/tutorial', () => {
  let bin = '';
  let problems: string[] = [];
  // Rootfs trees this run makes (tut-*) are removed afterwards; ones that were there before are kept.
  const before = new Set(fs.existsSync(STATE) ? fs.readdirSync(STATE) : []);

  beforeAll(() => {
    problems = missingPrerequisites();
    if (problems.length === 0) bin = binDir();
  });

  /** Removes the tut-* trees this run made (never through a mount, never one that was there before). */
  const removeMadeTrees = () => {
    if (!fs.existsSync(STATE)) return;
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '');
    for (const name of fs.readdirSync(STATE)) {
      const dir = path.join(STATE, name);
      if (!name.startsWith('tut-') || before.has(name) || mounts.some((m) => m === dir || m.startsWith(`${dir}/`))) continue;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  afterAll(() => {
    if (bin) fs.rmSync(bin, { recursive: true, force: true });
    removeMadeTrees();
  });

  it('has chapters with runnable snippets', () => {
    expect(chapters.length).toBeGreaterThanOrEqual(6);
    for (const chapter of chapters) expect(parseSnippets(chapter, fs.readFileSync(path.join(TUTORIAL, chapter), 'utf8')).length).toBeGreaterThan(0);
  });

  it('has a Japanese edition with the same chapters, commands and expected output', () => {
    expect(japanese.map((c) => path.basename(c))).toEqual(english);
    const runnable = (chapter: string) =>
      parseSnippets(chapter, fs.readFileSync(path.join(TUTORIAL, chapter), 'utf8')).map(({ script, expected, exit, vm }) => ({ script, expected, exit, vm }));
    for (const chapter of english) expect({ chapter, snippets: runnable(path.join('ja', chapter)) }).toEqual({ chapter, snippets: runnable(chapter) });
  });

  describe.each(chapters)('%s', (chapter) => {
    const snippets = parseSnippets(chapter, fs.readFileSync(path.join(TUTORIAL, chapter), 'utf8'));
    // Network chapters build bridges and send pings: they run inside a network namespace this test
    // creates (and deletes), never in the host's. nsenter rather than `ip netns exec`, which would
    // remount /sys and hide the cgroup hierarchies haco needs.
    const netns = chapter.includes('network') ? `haco-tut-${process.pid}-${Math.random().toString(36).slice(2, 8)}` : undefined;
    beforeAll(() => {
      // Every chapter starts from nothing, as a reader's first run does: the other edition's run of the
      // same chapter must not leave its overlay upper layer (or any tree) behind.
      removeMadeTrees();
      if (!netns) return;
      for (const argv of [['ip', 'netns', 'add', netns], ['ip', '-n', netns, 'link', 'set', 'lo', 'up']]) {
        const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
      }
    });
    afterAll(() => {
      if (netns) spawnSync('ip', ['netns', 'del', netns]);
    });
    test.each(snippets.map((s) => [`line ${s.line}: ${s.script.split('\n')[0]}`, s] as const))('%s', (_title, snippet) => {
      // `vm` blocks need a kernel this host lacks (criu): the VM tier runs them, this checks it does.
      if (snippet.vm) {
        expect(fs.readFileSync(path.join(REPO, VM_RUNNER), 'utf8')).toContain(`'${chapter.replace(/^ja\//, '')}'`);
        return;
      }
      if (problems.length) throw new Error(`cannot run the tutorial:\n  ${problems.join('\n  ')}`);
      const shell = ['sh', '-c', `exec 2>&1\n${snippet.script}`];
      const argv = netns ? ['nsenter', `--net=/run/netns/${netns}`, ...shell] : shell;
      const r = spawnSync(argv[0]!, argv.slice(1), {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, NO_COLOR: '1', HACO_NO_CACHE: '1' },
        timeout: 300_000,
      });
      const output = r.stdout.replace(/\n$/, '');
      const actual = output === '' ? [] : output.split('\n');
      const where = `${chapter}:${snippet.line}`;
      if (snippet.exit !== 'any') expect({ where, status: r.status, output }).toEqual({ where, status: snippet.exit, output });
      if (snippet.expected && !matchesOutput(snippet.expected, actual)) {
        expect({ where, output }).toEqual({ where, output: snippet.expected.join('\n') });
      }
    });
  });
});

describe('the snippet format', () => {
  it('parses blocks, exit statuses and expected output', () => {
    const md = ['text', '```sh haco-test exit=1', 'false', '```', '```text', 'a', '...', '```', '```sh haco-test', 'true', '```', ''].join('\n');
    expect(parseSnippets('x.md', md)).toEqual([
      { chapter: 'x.md', line: 2, script: 'false', expected: ['a', '...'], exit: 1, vm: false },
      { chapter: 'x.md', line: 9, script: 'true', expected: undefined, exit: 0, vm: false },
    ]);
  });

  it('matches ... and [...]', () => {
    expect(matchesOutput(['...', 'tail exited with 137'], ['Killed', 'tail exited with 137'])).toBe(true);
    expect(matchesOutput(['...', 'tail exited with 137'], ['tail exited with 137'])).toBe(true);
    expect(matchesOutput(['[...]fork[...]', '...'], ['sh: 1: Cannot fork', 'x'])).toBe(true);
    expect(matchesOutput(['a'], ['a', 'b'])).toBe(false);
    expect(matchesOutput(['a.c'], ['abc'])).toBe(false);
  });
});
