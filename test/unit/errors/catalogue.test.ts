// The error catalogue (src/error-catalogue.ts) is the one list of codes: everything that reports or expects
// a code uses one from it, it lists nothing unused, and docs/errors.md is generated from its current text.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ERROR_AREAS, ERROR_CODES, isErrorCode } from '../../../src/error-catalogue';

const root = path.join(__dirname, '../../..');
const CATALOGUE = path.join(root, 'src/error-catalogue.ts');

function filesUnder(dir: string, ext: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && ext.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every quoted `E_…` code in FILES, with where it is. */
function codesIn(files: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/['"`](E_[A-Z0-9_]+)['"`]/g)) found.set(m[1]!, `${path.relative(root, file)}:${i + 1}`);
    });
  }
  return found;
}

describe('error catalogue', () => {
  it('docs/errors.md is generated from the current catalogue (run node scripts/gen-error-docs.mjs)', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/gen-error-docs.mjs'), '--check'], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('lists every code used in src/, test/ and native/src', () => {
    const ts = codesIn([...filesUnder(path.join(root, 'src'), /\.(ts|js)$/), ...filesUnder(path.join(root, 'test'), /\.ts$/)].filter((f) => f !== CATALOGUE));
    const c = codesIn(filesUnder(path.join(root, 'native/src'), /\.[ch]$/));
    const unknown = [...ts, ...c].filter(([code]) => !isErrorCode(code)).map(([code, where]) => `${code} (${where})`);
    expect(unknown).toEqual([]);
  });

  it('lists no code that nothing in src/ reports any more', () => {
    const used = codesIn(filesUnder(path.join(root, 'src'), /\.ts$/).filter((f) => f !== CATALOGUE));
    expect(Object.keys(ERROR_CODES).filter((code) => !used.has(code))).toEqual([]);
  });

  it('gives each code an area, a meaning and a hint', () => {
    const incomplete = Object.entries(ERROR_CODES)
      .filter(([, info]) => !(info.area in ERROR_AREAS) || info.meaning.trim() === '' || info.hint.trim() === '')
      .map(([code]) => code);
    expect(incomplete).toEqual([]);
  });
});
