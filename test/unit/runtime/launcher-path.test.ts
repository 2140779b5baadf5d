import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HacoError } from '../../../src/errors';
import { findLauncher, LAUNCHER_RELATIVE_PATH } from '../../../src/runtime/launcher-path';

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

  it('explains how to build it when it is missing', () => {
    const e = error(() => findLauncher({ root: dir, env: {} }));
    expect(e).toBeInstanceOf(HacoError);
    expect(e.code).toBe('E_LAUNCHER_MISSING');
    expect(e.message).toContain('not built');
    expect(e.hint).toMatch(/npm run build.*build-essential.*libseccomp-dev/);
    expect(e.exitCode).toBe(4);
  });

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
