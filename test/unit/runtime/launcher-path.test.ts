import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HacoError } from '../../../src/errors';
import { findLauncher, LAUNCHER_RELATIVE_PATH, locateLauncher } from '../../../src/runtime/launcher-path';

describe('findLauncher', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-launcher-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const error = (fn: () => unknown): HacoError => {
    try {
      fn();
    } catch (e) {
      return e as HacoError;
    }
    throw new Error('expected a HacoError');
  };

  it('finds native/build/haco-launch under the package root', () => {
    const file = path.join(dir, LAUNCHER_RELATIVE_PATH);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
    expect(findLauncher({ root: dir, env: {} })).toBe(file);
  });

  it('without a build and without sources, says to reinstall', () => {
    const e = error(() => findLauncher({ root: dir, env: {}, cacheDir: path.join(dir, 'cache') }));
    expect(e).toBeInstanceOf(HacoError);
    expect(e.code).toBe('E_LAUNCHER_MISSING');
    expect(e.message).toContain('sources are missing');
    expect(e.hint).toMatch(/npm i haco/);
    expect(e).toExitWith(4);
  });

  it('an installed package (sources, no native/build) builds it once into the cache dir, then reuses it', () => {
    // A copy of the package's sources, as `npm i haco` leaves them.
    const repo = path.resolve(__dirname, '../../..');
    fs.cpSync(path.join(repo, 'native/src'), path.join(dir, 'pkg/native/src'), { recursive: true });
    fs.copyFileSync(path.join(repo, 'native/Makefile'), path.join(dir, 'pkg/native/Makefile'));
    const cacheDir = path.join(dir, 'cache');
    const opts = { root: path.join(dir, 'pkg'), env: {}, cacheDir };
    expect(locateLauncher(opts)).toMatchObject({ source: 'cache', built: false });
    const said: string[] = [];
    const built = findLauncher({ ...opts, log: (l) => said.push(l) });
    expect(built.startsWith(path.join(cacheDir, 'launcher'))).toBe(true);
    expect(said.join('\n')).toMatch(/building the native launcher/);
    expect(fs.existsSync(path.join(dir, 'pkg/native/build'))).toBe(false); // nothing written into the package
    const r = spawnSync(built, ['--help'], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/spec/);
    expect(locateLauncher(opts)).toEqual({ path: built, source: 'cache', built: true });
    expect(findLauncher(opts)).toBe(built);
    fs.chmodSync(path.dirname(built), 0o777);
    expect(error(() => findLauncher(opts)).code).toBe('E_LAUNCHER_UNTRUSTED');
  }, 60_000);

  it('HACO_LAUNCHER overrides, and is checked too', () => {
    const file = path.join(dir, 'my-launch');
    fs.writeFileSync(file, '', { mode: 0o755 });
    expect(findLauncher({ root: '/nonexistent', env: { HACO_LAUNCHER: file } })).toBe(file);
    fs.chmodSync(file, 0o644);
    if (process.getuid?.() !== 0) {
      expect(error(() => findLauncher({ env: { HACO_LAUNCHER: file } })).message).toMatch(/not executable/);
    }
    expect(error(() => findLauncher({ env: { HACO_LAUNCHER: path.join(dir, 'nope') } })).hint).toMatch(/unset HACO_LAUNCHER/);
  });
});
