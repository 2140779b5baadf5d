import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMMANDS } from '../../../src/cli/main';
import { haco } from '../../support/cli';

// The script haco prints is sourced into a real bash, and its function is called the way bash calls it
// on TAB: COMP_WORDS/COMP_CWORD set, COMPREPLY read back.
let dir: string;
let script: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-completion-'));
  const r = haco(['completion', 'bash']);
  expect(r.stderr).toBe('');
  expect(r).toExitWith(0);
  script = path.join(dir, 'haco.bash');
  fs.writeFileSync(script, r.stdout);
  fs.mkdirSync(path.join(dir, 'run/web'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'run/db'));
  fs.writeFileSync(path.join(dir, 'run/.cgroup.lock'), '');
  fs.mkdirSync(path.join(dir, 'project/defs'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'project/first.haco.ts'), '');
  fs.writeFileSync(path.join(dir, 'project/helper.ts'), '');
  fs.writeFileSync(path.join(dir, 'project/notes.txt'), '');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What bash offers after WORDS (the last one is the word being completed). */
function complete(words: string[], env: Record<string, string> = { HACO_RUN_DIR: path.join(dir, 'run') }): string[] {
  const driver = `source ${JSON.stringify(script)}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=()
_haco
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', driver], { cwd: path.join(dir, 'project'), env: { PATH: process.env['PATH'], ...env }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r).toExitWith(0);
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('bash completion (haco completion bash)', () => {
  it('offers the commands of the oclif command table, and the words of a topic', () => {
    const top = complete(['haco', '']);
    const expected = new Set(Object.keys(COMMANDS).map((id) => id.split(':')[0]!));
    for (const c of Object.values(COMMANDS)) for (const alias of c.aliases ?? []) expected.add(alias);
    expect(top).toEqual([...expected].sort());
    expect(complete(['haco', 'pl'])).toEqual(['plan']);
    expect(complete(['haco', 'net', ''])).toEqual(['bridge', 'ls']);
    expect(complete(['haco', 'net', 'bridge', ''])).toEqual(['create', 'rm']);
    // haco help takes command words too.
    expect(complete(['haco', 'help', 'pl'])).toEqual(['plan']);
    expect(complete(['haco', 'help', 'net', 'bridge', 'c'])).toEqual(['create']);
    expect(complete(['haco', 'help', 'net', 'bridge', ''])).toEqual(['create', 'rm']);
  });

  it('offers .haco.ts files (and folders) where a definition goes, also after toggles', () => {
    expect(complete(['haco', 'plan', ''])).toEqual(['defs', 'first.haco.ts']);
    expect(complete(['haco', 'start', '--share', 'pid', ''])).toEqual(['defs', 'first.haco.ts']);
    expect(complete(['haco', 'run', '-d', 'fi'])).toEqual(['first.haco.ts']);
    // bash splits --cpu=30% into --cpu, =, 30%: the value is not taken for the file.
    expect(complete(['haco', 'start', '--cpu', '=', '30%', ''])).toEqual(['defs', 'first.haco.ts']);
    // After `--` the words are the container's command: any file.
    expect(complete(['haco', 'start', 'first.haco.ts', '--', ''])).toEqual(['defs', 'first.haco.ts', 'helper.ts', 'notes.txt']);
  });

  it('offers the names of the containers in the run directory where a container goes', () => {
    expect(complete(['haco', 'stop', ''])).toEqual(['db', 'web']);
    expect(complete(['haco', 'logs', '-n', '5', 'w'])).toEqual(['web']);
    expect(complete(['haco', 'rm', 'web', ''])).toEqual(['db', 'web']);
    expect(complete(['haco', 'inspect', 'web', ''])).toEqual([]);
    // No run directory (nothing started yet, or not readable): nothing, and no error.
    expect(complete(['haco', 'stop', ''], { HACO_RUN_DIR: path.join(dir, 'nowhere') })).toEqual([]);
  });

  it('offers flags, and the fixed values of a flag', () => {
    expect(complete(['haco', 'plan', '--sh'])).toEqual(['--share']);
    expect(complete(['haco', 'start', 'first.haco.ts', '--no-i'])).toEqual(['--no-init', '--no-interactive']);
    expect(complete(['haco', 'archive', '--format', ''])).toEqual(['gz', 'none', 'xz', 'zst']);
  });
});

describe('zsh completion (haco completion zsh)', () => {
  let zshScript: string;
  beforeAll(() => {
    const r = haco(['completion', 'zsh']);
    expect(r.stderr).toBe('');
    expect(r).toExitWith(0);
    zshScript = path.join(dir, 'haco.zsh');
    fs.writeFileSync(zshScript, r.stdout);
  });

  /**
   * What a real zsh offers after WORDS: the script is sourced into `zsh -f` (it loads compinit and
   * bashcompinit itself), and the function is called through bashcompinit's own `compgen -F`, with the
   * variables zsh's `_bash_complete` sets on TAB. zsh's compadd then keeps the words starting with the
   * typed prefix; the filter below does the same.
   */
  function zshComplete(words: string[]): string[] {
    const driver = `source ${JSON.stringify(zshScript)}
words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=$#words
COMP_WORDS=("\${words[@]}"); COMP_CWORD=$((CURRENT - 1)); COMP_LINE="$words"; PREFIX="\${words[CURRENT]}"
compgen -F _haco -- "\${words[CURRENT]}"`;
    const r = spawnSync('zsh', ['-f', '-c', driver], { cwd: path.join(dir, 'project'), env: { PATH: process.env['PATH'], HOME: dir, HACO_RUN_DIR: path.join(dir, 'run') }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r).toExitWith(0);
    const typed = words[words.length - 1]!;
    return r.stdout.split('\n').filter((w) => w && w.startsWith(typed)).sort();
  }

  it('offers in zsh what bash offers: commands, files, names, flags and values', () => {
    const cases: string[][] = [
      ['haco', ''],
      ['haco', 'pl'],
      ['haco', 'net', 'bridge', ''],
      ['haco', 'plan', ''],
      ['haco', 'start', '--share', 'pid', ''],
      ['haco', 'start', 'first.haco.ts', '--', ''],
      ['haco', 'stop', ''],
      ['haco', 'start', 'first.haco.ts', '--no-i'],
      ['haco', 'archive', '--format', ''],
    ];
    for (const words of cases) expect({ words, offers: zshComplete(words) }).toEqual({ words, offers: complete(words) });
  });

  it('is the bash function behind bashcompinit; other shells are refused', () => {
    expect(fs.readFileSync(zshScript, 'utf8')).toContain('bashcompinit');
    expect(fs.readFileSync(zshScript, 'utf8')).toContain(fs.readFileSync(script, 'utf8').split('\n').filter((l) => !l.startsWith('# ')).join('\n'));
    expect(haco(['completion', 'fish'])).toExitWith(2);
  });
});
