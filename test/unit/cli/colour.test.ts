import * as fs from 'node:fs';
import * as path from 'node:path';
import { colourWanted } from '../../../src/colour';
import { haco, REPO } from '../../support/cli';
import { inPty } from '../../support/pty';

const ESC = '\x1b[';

describe('one colour decision (src/colour.ts)', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it('NO_COLOR (non-empty) wins, then FORCE_COLOR, then TERM=dumb, then whether the stream is a terminal', () => {
    expect(colourWanted(tty, {})).toBe(true);
    expect(colourWanted(pipe, {})).toBe(false);
    expect(colourWanted(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted(tty, { NO_COLOR: '' })).toBe(true);
    expect(colourWanted(tty, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(colourWanted(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourWanted(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colourWanted(tty, { FORCE_COLOR: 'false' })).toBe(false);
    expect(colourWanted(tty, { TERM: 'dumb' })).toBe(false);
  });

  it('is the only way to chalk: no other module imports chalk for its colours', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && p !== path.join(REPO, 'src/colour.ts') && /import (?!type )[^;]*from 'chalk'|import\('chalk'\)/.test(fs.readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    walk(path.join(REPO, 'src'));
    expect(offenders).toEqual([]);
  });
});

describe('colour on a real terminal (script(1) gives haco a pty) and on pipes', () => {
  // Each line: stdout (a plan summary), stderr (an error with its hint) and oclif's help.
  const commands = '"$HACO" plan examples/first.haco.ts; "$HACO" plan examples/nope.haco.ts; "$HACO" help plan';
  async function onPty(env: Record<string, string>): Promise<string> {
    const session = inPty(commands, { HACO_NO_CACHE: '1', TERM: 'xterm', ...env });
    try {
      await session.exited(60_000);
      return session.output();
    } finally {
      session.kill();
    }
  }

  it('a terminal gets colour on stdout and stderr', async () => {
    const out = await onPty({ NO_COLOR: '' });
    expect(out).toContain('my-first');
    expect(out).toContain(`${ESC}1mmy-first`); // the summary's bold name (stdout)
    expect(out).toMatch(/\x1b\[31merror\x1b\[39m .*no such file/); // the error (stderr)
  }, 90_000);

  it('NO_COLOR=1 on a terminal: not one escape code', async () => {
    const out = await onPty({ NO_COLOR: '1' });
    expect(out).toContain('my-first');
    expect(out).toContain('no such file');
    expect(out).toContain('USAGE');
    expect(out).not.toContain('\x1b');
  }, 90_000);

  it('pipes: plain unless FORCE_COLOR', () => {
    const plain = haco(['plan', 'examples/first.haco.ts'], { env: { NO_COLOR: undefined, HACO_NO_CACHE: '1' } });
    expect(plain.stdout).toContain('my-first');
    expect(plain.stdout).not.toContain('\x1b');
    const forced = haco(['plan', 'examples/nope.haco.ts'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.stderr).toContain(`${ESC}31merror`);
  });
});
